package encore.data;

import encore.util.AtomicFileSet;
import encore.util.AtomicOutput;
import encore.util.Json;
import encore.util.TextFields;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes what {@code encore prepare} produces, each file atomically (temp file + fsync + rename):
 * <ul>
 *   <li>{@code users.csv}, {@code items.csv}: {@code index,label,frequency} in index order (RFC-4180 quoting);</li>
 *   <li>{@code train.tsv}, {@code test.tsv} (when split): {@code user_label<TAB>item_label<TAB>count}, no header,
 *       labels escaped as in {@link TextFields#tsv(String)}, rows by user index then item index;</li>
 *   <li>{@code prepare.json}: counts and timings, written last.</li>
 * </ul>
 */
public final class PreparedFiles {
    /** File name of the user index. */
    public static final String USERS = "users.csv";
    /** File name of the item index. */
    public static final String ITEMS = "items.csv";
    /** File name of the training triples. */
    public static final String TRAIN = "train.tsv";
    /** File name of the test triples. */
    public static final String TEST = "test.tsv";
    /** File name of the JSON report, written last. */
    public static final String REPORT = "prepare.json";

    private PreparedFiles() {}

    /**
     * What {@link #write} wrote into prepare.json.
     *
     * @param json    the file's content
     * @param timings its {@code timings_s}: seconds per stage, {@code pipeline_total}, then {@code write}
     */
    public record Report(String json, Map<String, Double> timings) {
        /** Copies the timings (stage order kept). */
        public Report {
            timings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(timings));
        }
    }

    /** Writes every file into {@code dir} (created if needed), prepare.json last; returns what prepare.json says. */
    public static Report write(Path dir, Prepared p, boolean splitFiles, Map<String, Object> extra) throws IOException {
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        try (AtomicFileSet files = new AtomicFileSet()) {
            writeIndex(files.open(dir.resolve(USERS)), p.plays().users());
            writeIndex(files.open(dir.resolve(ITEMS)), p.plays().items());
            if (splitFiles) {
                writeTsv(files.open(dir.resolve(TRAIN)), p.split().train());
                writeTsv(files.open(dir.resolve(TEST)), p.split().test());
            }
            Map<String, Double> timings = timings(p);
            timings.put("write", (System.nanoTime() - t0) / 1e9);
            Map<String, Object> report = counts(p, splitFiles);
            report.put("timings_s", timings);
            report.putAll(extra);
            String json = Json.write(report);
            // prepare.json, written last, marks the set complete
            files.commitWithMarker(dir.resolve(REPORT), json.getBytes(StandardCharsets.UTF_8));
            return new Report(json, timings);
        }
    }

    /** The stage timings of prepare.json: seconds per stage, then {@code pipeline_total} (their sum). */
    static Map<String, Double> timings(Prepared p) {
        Map<String, Double> t = new java.util.LinkedHashMap<>();
        double total = 0;
        for (var e : p.timings().entrySet()) {
            t.put(e.getKey(), e.getValue());
            total += e.getValue();
        }
        t.put("pipeline_total", total);
        return t;
    }

    /** The counts of prepare.json: source, rows read and dropped (by reason), bad-row samples, pairs, users, items. */
    public static Map<String, Object> counts(Prepared p, boolean split) {
        IngestStats s = p.ingest();
        Map<String, Object> r = Json.object();
        r.put("source", p.source().toString());
        r.put("bytes", s.bytes());
        r.put("rows_read", s.rowsRead());
        Map<String, Object> dropped = Json.object();
        dropped.put("total", s.droppedTotal());
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason.key(), s.dropped(reason));
        }
        r.put("rows_dropped", dropped);
        List<Object> bad = new ArrayList<>();
        for (var b : s.badRows()) {
            Map<String, Object> m = Json.object();
            m.put("line", b.line());
            m.put("reason", b.reason().key());
            m.put("detail", b.detail());
            bad.add(m);
        }
        r.put("bad_row_samples", bad);
        r.put("rows_kept", s.rowsKept());
        r.put("plays", p.plays().plays());
        r.put("pairs", p.plays().pairs());
        r.put("users", p.plays().users().size());
        r.put("items", p.plays().items().size());
        r.put("train_pairs", p.split().train().pairs());
        r.put("test_pairs", split ? p.split().test().pairs() : 0);
        r.put("chunks", s.chunks());
        return r;
    }

    /** Writes {@code index,label,frequency} for every label, atomically. */
    public static void writeIndex(Path file, LabelIndex index) throws IOException {
        try (AtomicOutput out = AtomicOutput.create(file)) {
            writeIndex(out.stream(), index);
            out.commit();
        }
    }

    /** Writes {@code index,label,frequency} for every label to {@code os}. */
    public static void writeIndex(OutputStream os, LabelIndex index) throws IOException {
        os.write("index,label,frequency\n".getBytes(StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder(256);
        for (int i = 0; i < index.size(); i++) {
            sb.setLength(0);
            sb.append(i)
                    .append(',')
                    .append(TextFields.csv(index.label(i)))
                    .append(',')
                    .append(index.frequency(i))
                    .append('\n');
            os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Writes {@code user_label<TAB>item_label<TAB>count} lines (TSV-escaped labels), atomically. */
    public static void writeTsv(Path file, IndexedPlays plays) throws IOException {
        try (AtomicOutput out = AtomicOutput.create(file)) {
            writeTsv(out.stream(), plays);
            out.commit();
        }
    }

    /** Writes {@code user_label<TAB>item_label<TAB>count} lines (TSV-escaped labels) to {@code os}. */
    public static void writeTsv(OutputStream os, IndexedPlays plays) throws IOException {
        byte[][] users = encodedTsv(plays.users());
        byte[][] items = encodedTsv(plays.items());
        byte[] num = new byte[12];
        for (int u = 0; u < plays.users().size(); u++) {
            byte[] ul = users[u];
            for (int k = plays.rowStart(u); k < plays.rowEnd(u); k++) {
                os.write(ul);
                os.write('\t');
                os.write(items[plays.item(k)]);
                os.write('\t');
                int len = digits(plays.count(k), num);
                os.write(num, num.length - len, len);
                os.write('\n');
            }
        }
    }

    private static byte[][] encodedTsv(LabelIndex index) {
        byte[][] b = new byte[index.size()][];
        for (int i = 0; i < b.length; i++) {
            b[i] = TextFields.tsv(index.label(i)).getBytes(StandardCharsets.UTF_8);
        }
        return b;
    }

    /** Writes the decimal digits of a non-negative int right-aligned into buf; returns their count. */
    private static int digits(int v, byte[] buf) {
        int p = buf.length;
        do {
            buf[--p] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        return buf.length - p;
    }
}
