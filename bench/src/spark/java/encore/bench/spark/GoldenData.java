package encore.bench.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The tiny data sets of the Spark golden ({@link SparkGolden}), written once by {@code bench/run spark-golden
 * --generate-data} and committed beside the golden: the test reads the committed files (whose SHA-256 the golden
 * records), so it never depends on this generator staying the same. Everything is drawn from {@code
 * SplittableRandom(seed)} in the order below; every user and item id in {@code [0, n)} gets at least one training
 * entry, so Spark's integer ids and Encore's indices are the same numbers.
 *
 * <ul>
 *   <li>explicit ({@code explicit-train.tsv}, {@code explicit-test.tsv}): 48 users × 32 items, true rank 3 with
 *       factors U(−1, 1); user u has activity a_u = 0.04 + 0.36·U(0, 1), so some users have fewer ratings than the
 *       rank. Each (u, i) in id order draws x = U(0, 1): x &lt; a_u → a training rating, a_u ≤ x &lt; a_u + 0.06 → a
 *       test rating; the rating is {@code clamp(round(3 + 1.5·uᵀi + 0.5·N(0, 1)), 1, 5)}. A user or item left
 *       without a training rating then gets one at item {@code u mod 32} (user {@code i mod 48}), rating 3; test
 *       pairs are the drawn ones whose user and item both have training ratings.</li>
 *   <li>implicit ({@code implicit-train.tsv}): 40 users × 30 items, true rank 4; a pair is observed with probability
 *       {@code 0.35·sigmoid(2·uᵀi)} and its count is {@code 1 + floor(−ln(U(0, 1))·3·exp(uᵀi))} (a play count
 *       ≥ 1), except that with probability 0.08 the value is −1, −2 or −3 instead (U(0, 1) &lt; 0.08, then
 *       {@code −(1 + floor(3·U(0, 1)))}): Spark's extension to negative feedback, confidence α|r|, preference 0, not
 *       counted in λ's scaling; the same top-up rule, count 1.</li>
 * </ul>
 */
final class GoldenData {
    static final String EXPLICIT_TRAIN = "explicit-train.tsv";
    static final String EXPLICIT_TEST = "explicit-test.tsv";
    static final String IMPLICIT_TRAIN = "implicit-train.tsv";

    private GoldenData() {}

    /** (user, item, value) triples, in the order written. */
    record Triples(List<int[]> pairs, List<Float> values) {
        Triples() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void add(int u, int i, float v) {
            pairs.add(new int[] {u, i});
            values.add(v);
        }

        int size() {
            return values.size();
        }
    }

    /** Writes the three data files into {@code dir}. */
    static void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Triples[] explicit = explicit(new SplittableRandom(20240601L));
        write(dir.resolve(EXPLICIT_TRAIN), explicit[0], "explicit ratings 1..5, training set");
        write(dir.resolve(EXPLICIT_TEST), explicit[1], "explicit ratings 1..5, test set (users and items all warm)");
        write(
                dir.resolve(IMPLICIT_TRAIN),
                implicit(new SplittableRandom(20240602L)),
                "implicit play counts >= 1 and a few negative values");
    }

    private static Triples[] explicit(SplittableRandom rnd) {
        int users = 48;
        int items = 32;
        float[][] uf = factors(users, 3, rnd);
        float[][] itf = factors(items, 3, rnd);
        double[] activity = new double[users];
        for (int u = 0; u < users; u++) {
            activity[u] = 0.04 + 0.36 * rnd.nextDouble();
        }
        Triples train = new Triples();
        Triples drawnTest = new Triples();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                double x = rnd.nextDouble();
                if (x < activity[u] + 0.06) {
                    double r = Math.rint(3 + 1.5 * dot(uf[u], itf[i]) + 0.5 * rnd.nextGaussian());
                    float rating = (float) Math.max(1, Math.min(5, r));
                    (x < activity[u] ? train : drawnTest).add(u, i, rating);
                }
            }
        }
        topUp(train, users, items, 3f);
        boolean[] warmUser = new boolean[users];
        boolean[] warmItem = new boolean[items];
        for (int[] p : train.pairs()) {
            warmUser[p[0]] = true;
            warmItem[p[1]] = true;
        }
        Triples test = new Triples();
        for (int q = 0; q < drawnTest.size(); q++) {
            int[] p = drawnTest.pairs().get(q);
            if (warmUser[p[0]] && warmItem[p[1]]) {
                test.add(p[0], p[1], drawnTest.values().get(q));
            }
        }
        return new Triples[] {train, test};
    }

    private static Triples implicit(SplittableRandom rnd) {
        int users = 40;
        int items = 30;
        float[][] uf = factors(users, 4, rnd);
        float[][] itf = factors(items, 4, rnd);
        Triples train = new Triples();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                double d = dot(uf[u], itf[i]);
                if (rnd.nextDouble() < 0.35 / (1 + Math.exp(-2 * d))) {
                    double count = 1 + Math.floor(-Math.log(1 - rnd.nextDouble()) * 3 * Math.exp(d));
                    boolean negative = rnd.nextDouble() < 0.08;
                    train.add(u, i, (float) (negative ? -(1 + Math.floor(3 * rnd.nextDouble())) : count));
                }
            }
        }
        topUp(train, users, items, 1f);
        return train;
    }

    /** Gives every user and item without an entry one: user u at item u mod items, item i at user i mod users. */
    private static void topUp(Triples t, int users, int items, float value) {
        boolean[] hasUser = new boolean[users];
        boolean[] hasItem = new boolean[items];
        for (int[] p : t.pairs()) {
            hasUser[p[0]] = true;
            hasItem[p[1]] = true;
        }
        for (int u = 0; u < users; u++) {
            if (!hasUser[u]) {
                t.add(u, u % items, value);
                hasItem[u % items] = true;
            }
        }
        for (int i = 0; i < items; i++) {
            if (!hasItem[i]) {
                t.add(i % users, i, value);
            }
        }
    }

    private static float[][] factors(int n, int k, SplittableRandom rnd) {
        float[][] f = new float[n][k];
        for (int a = 0; a < n; a++) {
            for (int d = 0; d < k; d++) {
                f[a][d] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return f;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) {
            s += (double) a[d] * b[d];
        }
        return s;
    }

    private static void write(Path file, Triples t, String what) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# ")
                .append(what)
                .append(": user<TAB>item<TAB>value, ")
                .append(t.size())
                .append(
                        " lines. Generated by encore.bench.spark.GoldenData (bench/run spark-golden --generate-data)\n");
        for (int q = 0; q < t.size(); q++) {
            int[] p = t.pairs().get(q);
            sb.append(String.format(
                    Locale.ROOT, "%d\t%d\t%s\n", p[0], p[1], plain(t.values().get(q))));
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static String plain(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }
}
