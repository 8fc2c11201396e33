package encore.spark;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import encore.als.AlsModel;
import encore.util.Json;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@value #FILE}: what an Encore export adds to a Spark {@code ALSModel} directory beside the label files — the
 * fitting parameters Spark's model does not keep ({@code regParam}, {@code implicitPrefs}, {@code alpha}, … as
 * {@code AlsParams.toMap} writes them, exact), the number of users and items including those without factors, and the
 * model file's metadata. An import of such a directory restores the Encore model exactly.
 */
final class InteropManifest {
    /** The file name. */
    static final String FILE = "encore.json";
    /** The {@code format} field. */
    static final String FORMAT = "encore-spark-model";
    /** The {@code format_version} this build writes and the newest it reads. */
    static final int VERSION = 1;
    /** The largest manifest read (the model's metadata is in it; a few KiB in practice). */
    static final long MAX_BYTES = 16L << 20;

    /**
     * A read manifest.
     *
     * @param params   the Encore parameters, as {@code AlsParams.toMap}
     * @param users    users, with factors or not ({@code user_labels.csv} has one record each)
     * @param items    items, likewise
     * @param metadata the exported model file's metadata
     */
    record Manifest(Map<String, String> params, int users, int items, Map<String, String> metadata) {}

    private InteropManifest() {}

    /** The manifest of {@code model} (UTF-8 JSON). */
    static byte[] write(AlsModel model, Map<String, String> metadata) {
        Map<String, Object> m = Json.object();
        m.put("format", FORMAT);
        m.put("format_version", VERSION);
        m.put(
                "about",
                "an Encore model exported as a Spark ALSModel (ALSModel.load reads this directory);"
                        + " ids are Encore's user/item indices; " + LabelFiles.USERS + " and " + LabelFiles.ITEMS
                        + " map every id, with factors or not, to its label (CSV, RFC 4180 quoting, UTF-8)");
        m.put("rank", model.rank());
        m.put("users", model.users().size());
        m.put("items", model.items().size());
        m.put("users_with_factors", model.usersWithFactors());
        m.put("items_with_factors", model.itemsWithFactors());
        m.put("user_labels", LabelFiles.USERS);
        m.put("item_labels", LabelFiles.ITEMS);
        m.put("params", new LinkedHashMap<String, Object>(model.params().toMap()));
        m.put("model_metadata", metadata == null ? Json.object() : new LinkedHashMap<String, Object>(metadata));
        return Json.write(m).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code file}.
     *
     * @throws InteropFormatException naming the file and the field that is missing, of the wrong type or out of range
     */
    static Manifest read(FileSystem fs, Path file) throws IOException {
        FileSystem raw = LabelFiles.raw(fs);
        long size = raw.getFileStatus(file).getLen();
        if (size > MAX_BYTES) {
            throw new InteropFormatException(file + ": " + size + " bytes; a manifest is at most " + MAX_BYTES);
        }
        JsonNode root;
        try (InputStream in = raw.open(file)) {
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
            ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InteropFormatException(file + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new InteropFormatException(file + ": not a JSON object");
        }
        String format = text(root, "format", file);
        if (!format.equals(FORMAT)) {
            throw new InteropFormatException(file + ": format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = count(root, "format_version", file);
        if (version < 1 || version > VERSION) {
            throw new InteropFormatException(file + ": format_version " + version + " (this build reads 1 to " + VERSION
                    + "; a newer Encore wrote it)");
        }
        return new Manifest(
                strings(root, "params", file, true),
                count(root, "users", file),
                count(root, "items", file),
                strings(root, "model_metadata", file, false));
    }

    private static JsonNode field(JsonNode root, String name, Path file) throws InteropFormatException {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            throw new InteropFormatException(file + ": field " + name + " is missing");
        }
        return v;
    }

    private static String text(JsonNode root, String name, Path file) throws InteropFormatException {
        JsonNode v = field(root, name, file);
        if (!v.isTextual()) {
            throw new InteropFormatException(file + ": field " + name + " must be a string");
        }
        return v.textValue();
    }

    private static int count(JsonNode root, String name, Path file) throws InteropFormatException {
        JsonNode v = field(root, name, file);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw new InteropFormatException(file + ": field " + name + " must be a non-negative int, got " + v);
        }
        return v.intValue();
    }

    private static Map<String, String> strings(JsonNode root, String name, Path file, boolean required)
            throws InteropFormatException {
        JsonNode v = root.get(name);
        if (v == null && !required) {
            return Map.of();
        }
        v = field(root, name, file);
        if (!v.isObject()) {
            throw new InteropFormatException(file + ": field " + name + " must be an object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isTextual()) {
                throw new InteropFormatException(
                        file + ": field " + name + "." + e.getKey() + " must be a string, got " + e.getValue());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }
}
