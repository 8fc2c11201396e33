package encore.als.io;

import encore.als.AlsModel;
import encore.data.LabelIndex;
import encore.matrix.Factors;
import encore.util.AtomicFileSet;
import encore.util.Json;
import encore.util.TextFields;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a model's factors and labels into a directory in formats other tools read ({@code encore export}):
 * <ul>
 *   <li>{@link Format#NPY}: {@code user_factors.npy} / {@code item_factors.npy}, float32 little-endian
 *       {@code (rows, rank)} arrays in numpy's own format ({@link NpyWriter}), one row per user / item index, zeros
 *       for users and items without factors; {@code user_present.npy} / {@code item_present.npy}, {@code (rows,)}
 *       bool arrays saying which rows have factors; {@code user_labels.jsonl} / {@code item_labels.jsonl}, the
 *       labels in index order, one JSON string per line (UTF-8; every line break, tab, quote or control character
 *       inside a label is escaped, so line {@code i} is always row {@code i});</li>
 *   <li>{@link Format#CSV}: {@code user_factors.csv} / {@code item_factors.csv}, a header
 *       {@code label,f0,…,f{rank−1}} and one row per user / item <em>with factors</em> (rows without factors are
 *       left out), in index order; labels quoted as RFC 4180 says ({@link TextFields#csv}), values written by
 *       {@link Float#toString(float)}, which parses back to the identical float32;</li>
 *   <li>both: {@value #MARKER}, written last: format, rank, counts, the file names, the fitting parameters and the
 *       model file's metadata.</li>
 * </ul>
 * The files are committed as one set ({@link AtomicFileSet}): each goes to a temporary file first and is renamed into
 * place only when all are complete, {@value #MARKER} last, so an export that fails leaves the directory as it was
 * (a directory this call created is removed again) and {@value #MARKER} only ever sits beside files of its own
 * export. Files of the <em>other</em> format that an earlier export left in the directory are removed afterwards, so
 * the directory never mixes two models; nothing else in it is touched.
 */
public final class FactorsExport {
    /** The file written last, describing the export. */
    public static final String MARKER = "model.json";
    /** The {@code format} of {@value #MARKER}. */
    public static final String FORMAT = "encore-factors";
    /** The {@code format_version} of {@value #MARKER}. */
    public static final int FORMAT_VERSION = 1;

    private FactorsExport() {}

    /** The file formats of an export. */
    public enum Format {
        /** numpy {@code .npy} arrays plus JSON-lines labels. */
        NPY(
                "user_factors.npy",
                "user_present.npy",
                "user_labels.jsonl",
                "item_factors.npy",
                "item_present.npy",
                "item_labels.jsonl"),
        /** One CSV file per side. */
        CSV("user_factors.csv", "item_factors.csv");

        private final List<String> files;

        Format(String... files) {
            this.files = List.of(files);
        }

        /** The data files this format writes (without {@value #MARKER}). */
        public List<String> files() {
            return files;
        }

        /** The lower-case name ({@code npy}, {@code csv}). */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The format named {@code s} (case-insensitive).
         *
         * @throws IllegalArgumentException naming the parameter {@code format} for another name
         */
        public static Format parse(String s) {
            for (Format f : values()) {
                if (f.key().equalsIgnoreCase(s)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("format must be npy or csv, got '" + s + "'");
        }
    }

    /**
     * What was written.
     *
     * @param dir    the directory
     * @param format the format
     * @param files  the file names, {@value #MARKER} last
     * @param json   the content of {@value #MARKER}
     */
    public record Report(Path dir, Format format, List<String> files, String json) {
        /** Copies the list. */
        public Report {
            files = List.copyOf(files);
        }
    }

    /**
     * Writes {@code model} into {@code dir} (created if needed) in {@code format}, as the class comment describes.
     *
     * @param metadata the model file's metadata, copied into {@value #MARKER} (null for none)
     * @throws IllegalArgumentException when a label is not valid Unicode (an unpaired surrogate, which UTF-8 cannot
     *                                  hold); nothing is committed then
     * @throws IOException              when a file cannot be written; nothing is committed then
     */
    public static Report write(Path dir, AlsModel model, Map<String, String> metadata, Format format)
            throws IOException {
        String json = describe(model, metadata, format);
        boolean created = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        try {
            commit(dir, model, format, json);
        } catch (IOException | RuntimeException e) {
            if (created) {
                try {
                    Files.deleteIfExists(dir); // the one this call created, empty again: no trace of the failure
                } catch (IOException notEmpty) {
                    e.addSuppressed(notEmpty);
                }
            }
            throw e;
        }
        for (Format other : Format.values()) {
            if (other != format) {
                for (String f : other.files()) {
                    Files.deleteIfExists(dir.resolve(f));
                }
            }
        }
        List<String> files = new ArrayList<>(format.files());
        files.add(MARKER);
        return new Report(dir, format, files, json);
    }

    /** Writes the data files and the marker as one {@link AtomicFileSet}. */
    private static void commit(Path dir, AlsModel model, Format format, String json) throws IOException {
        try (AtomicFileSet set = new AtomicFileSet()) {
            if (format == Format.NPY) {
                NpyWriter.writeFactors(set.open(dir.resolve("user_factors.npy")), model.userFactors());
                NpyWriter.writePresence(set.open(dir.resolve("user_present.npy")), model.userFactors());
                writeLabels(set.open(dir.resolve("user_labels.jsonl")), model.users(), "user");
                NpyWriter.writeFactors(set.open(dir.resolve("item_factors.npy")), model.itemFactors());
                NpyWriter.writePresence(set.open(dir.resolve("item_present.npy")), model.itemFactors());
                writeLabels(set.open(dir.resolve("item_labels.jsonl")), model.items(), "item");
            } else {
                writeCsv(set.open(dir.resolve("user_factors.csv")), model.users(), model.userFactors(), "user");
                writeCsv(set.open(dir.resolve("item_factors.csv")), model.items(), model.itemFactors(), "item");
            }
            set.commitWithMarker(dir.resolve(MARKER), json.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The content of {@value #MARKER}. */
    static String describe(AlsModel model, Map<String, String> metadata, Format format) {
        Map<String, Object> m = Json.object();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        m.put("layout", format.key());
        m.put("dtype", "float32");
        m.put("rank", model.rank());
        m.put("users", model.users().size());
        m.put("items", model.items().size());
        m.put("users_with_factors", model.usersWithFactors());
        m.put("items_with_factors", model.itemsWithFactors());
        Map<String, Object> files = Json.object();
        for (String f : format.files()) {
            files.put(f.substring(0, f.indexOf('.')), f);
        }
        m.put("files", files);
        if (format == Format.NPY) {
            m.put("rows", "one per user/item index; rows without factors are zeros (*_present.npy is False)");
            m.put("labels", "JSON lines: line i is the JSON string of the label of row i (UTF-8)");
        } else {
            m.put(
                    "rows",
                    "header label,f0..f" + (model.rank() - 1) + ", then the users/items with factors, in index "
                            + "order; labels RFC 4180, values Float.toString");
        }
        Map<String, Object> params = Json.object();
        model.params().toMap().forEach((k, v) -> params.put(k, typed(v)));
        m.put("params", params);
        m.put("model_metadata", metadata == null ? Json.object() : new java.util.LinkedHashMap<>(metadata));
        return Json.write(m);
    }

    /** A parameter value as JSON: a boolean, an integer, a number or (an enum) a string. */
    private static Object typed(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.valueOf(v);
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException notLong) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException notNumber) {
                return v;
            }
        }
    }

    /** One JSON string per line; besides JSON's escapes, NEL, LS and PS are escaped so no line splitter breaks one. */
    static void writeLabels(OutputStream out, LabelIndex labels, String side) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < labels.size(); i++) {
            String label = labels.label(i);
            Utf8.encode(label, side + " label " + i); // refuses an unpaired surrogate
            line.setLength(0);
            Json.quote(line, label);
            for (int c = 0; c < line.length(); c++) {
                char ch = line.charAt(c);
                if (ch == '\u0085' || ch == '\u2028' || ch == '\u2029') {
                    line.replace(c, c + 1, String.format(Locale.ROOT, "\\u%04x", (int) ch));
                }
            }
            out.write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code label,f0,…} then the rows with factors. */
    static void writeCsv(OutputStream out, LabelIndex labels, Factors f, String side) throws IOException {
        int k = f.rank();
        StringBuilder line = new StringBuilder("label");
        for (int d = 0; d < k; d++) {
            line.append(",f").append(d);
        }
        out.write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        float[] data = f.data();
        for (int r = f.nextPresent(0); r >= 0; r = f.nextPresent(r + 1)) {
            String label = labels.label(r);
            Utf8.encode(label, side + " label " + r);
            line.setLength(0);
            line.append(TextFields.csv(label));
            for (int d = r * k, e = d + k; d < e; d++) {
                line.append(',').append(data[d]);
            }
            out.write(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
