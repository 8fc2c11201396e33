package encore.bench.vs;

import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.PreparedFiles;
import encore.data.SplitSpec;
import encore.data.TriplesReader;
import encore.matrix.Csr;
import encore.util.TextFields;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the split both engines read, once: {@code train.tsv} and {@code test.tsv} with
 * {@code user<TAB>item<TAB>value} lines and labels escaped as {@code encore prepare} writes them. A split is reused
 * when its {@code source.txt} names the same input (path, size, modification time and split settings).
 */
public final class Splits {
    private Splits() {}

    /**
     * A split of a listenings file as {@code encore prepare --split F} (the seed recipe's) or, with {@code perUser},
     * {@code --holdout F} writes it.
     */
    public static void fromListenings(Path data, Path dir, double testFraction, boolean perUser) throws IOException {
        String key = key(data, (perUser ? "holdout " : "split ") + testFraction);
        if (current(dir, key)) {
            return;
        }
        Prepared p = Prepare.run(
                data,
                new PrepareOptions(
                        IngestOptions.defaults(),
                        -1,
                        perUser
                                ? SplitSpec.holdout(testFraction, Scenario.SPLIT_SEED)
                                : SplitSpec.random(testFraction, Scenario.SPLIT_SEED)));
        PreparedFiles.write(dir, p, true, Map.of());
        Files.writeString(dir.resolve("source.txt"), key, StandardCharsets.UTF_8);
    }

    /**
     * A split of a triples file. With {@code perUser}, a per-user holdout like {@code encore prepare --holdout F}:
     * each user with at least 5 ratings holds out round(F·n) of them (at least 1, at most n−1), those with the
     * smallest hash of (seed, user, item); otherwise each rating goes to test when its hash falls below F.
     */
    public static void fromTriples(Path triples, Path dir, double testFraction, boolean perUser) throws IOException {
        String key = key(triples, (perUser ? "holdout " : "split ") + testFraction);
        if (current(dir, key)) {
            return;
        }
        Interactions all = TriplesReader.readTrain(triples);
        Csr m = all.userItems();
        Files.createDirectories(dir);
        try (BufferedWriter tr = Files.newBufferedWriter(dir.resolve("train.tsv"), StandardCharsets.UTF_8);
                BufferedWriter te = Files.newBufferedWriter(dir.resolve("test.tsv"), StandardCharsets.UTF_8)) {
            for (int u = 0; u < m.rows(); u++) {
                int s = m.rowStart(u);
                int n = m.rowEnd(u) - s;
                String ul = all.users().label(u);
                long[] h = new long[n];
                for (int q = 0; q < n; q++) {
                    h[q] = hash(ul, all.items().label(m.colIdx()[s + q]));
                }
                boolean[] test = new boolean[n];
                if (perUser) {
                    if (n >= 5) {
                        int hold = (int) Math.max(1, Math.min(n - 1, Math.round(testFraction * n)));
                        long[] sorted = h.clone();
                        Arrays.sort(sorted);
                        long cut = sorted[hold - 1];
                        int taken = 0;
                        for (int q = 0; q < n && taken < hold; q++) {
                            if (h[q] <= cut) {
                                test[q] = true;
                                taken++;
                            }
                        }
                    }
                } else {
                    for (int q = 0; q < n; q++) {
                        test[q] = (h[q] >>> 11) * 0x1.0p-53 < testFraction;
                    }
                }
                for (int q = 0; q < n; q++) {
                    BufferedWriter w = test[q] ? te : tr;
                    w.write(TextFields.tsv(ul));
                    w.write('\t');
                    w.write(TextFields.tsv(all.items().label(m.colIdx()[s + q])));
                    w.write('\t');
                    w.write(Float.toString(m.values()[s + q]));
                    w.write('\n');
                }
            }
        }
        Files.writeString(dir.resolve("source.txt"), key, StandardCharsets.UTF_8);
    }

    /** The first {@code rows} data rows of a listenings file (header kept), for warm-up runs; the file itself if shorter. */
    public static Path head(Path data, Path file, long rows) throws IOException {
        String key = key(data, "head " + rows);
        Path keyFile = file.resolveSibling(file.getFileName() + ".source.txt");
        if (Files.exists(file)
                && Files.exists(keyFile)
                && Files.readString(keyFile).equals(key)) {
            return file;
        }
        long n = -1;
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedReader r = Files.newBufferedReader(data, StandardCharsets.UTF_8);
                BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String line;
            // a row with a quoted newline may be cut; the warm-up only needs realistic work, not every row
            while (n < rows && (line = r.readLine()) != null) {
                w.write(line);
                w.write('\n');
                n++;
            }
            if (r.readLine() == null) {
                w.close();
                Files.delete(file);
                return data;
            }
        }
        Files.writeString(keyFile, key, StandardCharsets.UTF_8);
        return file;
    }

    static long hash(String user, String item) {
        long h = mix(Scenario.SPLIT_SEED ^ 0x9E3779B97F4A7C15L);
        h = mix(h ^ user.hashCode());
        h = mix(h ^ ((long) item.hashCode() << 32) ^ item.length());
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static boolean current(Path dir, String key) throws IOException {
        Path k = dir.resolve("source.txt");
        return Files.exists(dir.resolve("train.tsv"))
                && Files.exists(dir.resolve("test.tsv"))
                && Files.exists(k)
                && Files.readString(k, StandardCharsets.UTF_8).equals(key);
    }

    private static String key(Path data, String what) throws IOException {
        return String.format(
                Locale.ROOT,
                "%s size %d modified %s; %s",
                data.toAbsolutePath(),
                Files.size(data),
                Files.getLastModifiedTime(data),
                what);
    }
}
