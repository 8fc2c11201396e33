package encore.cpu;

import encore.als.AlsParams;
import encore.data.Interactions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A golden printed by the real Spark MLlib ({@code bench/run spark-golden}, {@code encore.bench.spark.SparkGolden}):
 * the Spark version, the data files it was fitted on (line count and SHA-256 each), the ALS parameters and, per fit
 * ({@code maxIter} = 1 … 5), Spark's RMSE and every user and item factor. Read from the test resources
 * {@code spark-golden/NAME.golden}; the data files lie beside it.
 *
 * @param spark  the Spark version that printed it
 * @param blas   the BLAS Spark's normal equations ran on
 * @param data   data file name → its (user, item, value) triples, in file order
 * @param params the parameters Spark was given, as Encore's ({@code init = SPARK})
 * @param fits   the fits, by maxIter
 */
record SparkGoldenFile(
        String spark, String blas, Map<String, Triples> data, AlsParams params, TreeMap<Integer, Fit> fits) {
    static final String DIR = "/spark-golden/";

    /** One Spark fit: RMSE by what it was measured on, factors by Spark id. */
    record Fit(Map<String, Double> rmse, TreeMap<Integer, float[]> users, TreeMap<Integer, float[]> items) {}

    /** A data file's rows; ids are Spark's integer ids, which are Encore's indices here. */
    record Triples(int[] user, int[] item, float[] value) {
        int users() {
            return max(user) + 1;
        }

        int items() {
            return max(item) + 1;
        }

        private static int max(int[] a) {
            int m = -1;
            for (int x : a) {
                m = Math.max(m, x);
            }
            return m;
        }

        /** The rows as Encore interactions over {@code users} × {@code items} labelled "0", "1", … (index = id). */
        Interactions interactions(int users, int items) {
            return Interactions.fromCoordinates(
                    SparkStyleData.labels(users), SparkStyleData.labels(items), user, item, value);
        }
    }

    /**
     * Reads {@code spark-golden/NAME.golden} and its data files; fails when a data file's line count or SHA-256 is not
     * the one Spark was fitted on.
     */
    static SparkGoldenFile load(String name) {
        String spark = null;
        String blas = null;
        Map<String, Triples> data = new LinkedHashMap<>();
        AlsParams params = null;
        TreeMap<Integer, Fit> fits = new TreeMap<>();
        Fit fit = null;
        for (String line : text(name + ".golden").split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            switch (f[0]) {
                case "spark" -> spark = f[1];
                case "blas" -> blas = f[1];
                case "java" -> {}
                case "data" -> data.put(f[1], data(f[1], Integer.parseInt(f[2]), f[4]));
                case "params" -> params = params(f);
                case "fit" -> {
                    fit = new Fit(new LinkedHashMap<>(), new TreeMap<>(), new TreeMap<>());
                    fits.put(Integer.parseInt(f[2]), fit);
                }
                case "rmse" -> fit.rmse().put(f[1], Double.parseDouble(f[2]));
                case "user", "item" ->
                    (f[0].equals("user") ? fit.users() : fit.items()).put(Integer.parseInt(f[1]), floats(f));
                default -> throw new IllegalStateException(name + ".golden: unknown line " + line);
            }
        }
        return new SparkGoldenFile(spark, blas, data, params, fits);
    }

    private static AlsParams params(String[] f) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (int q = 1; q + 1 < f.length; q += 2) {
            kv.put(f[q], f[q + 1]);
        }
        return AlsParams.builder()
                .rank(Integer.parseInt(kv.get("rank")))
                .regParam(Double.parseDouble(kv.get("regParam")))
                .implicitPrefs(Boolean.parseBoolean(kv.get("implicitPrefs")))
                .alpha(Double.parseDouble(kv.get("alpha")))
                .seed(Long.parseLong(kv.get("seed")))
                .numBlocks(Integer.parseInt(kv.get("numBlocks")))
                .init(AlsParams.Init.SPARK)
                .build();
    }

    private static float[] floats(String[] f) {
        float[] v = new float[f.length - 2];
        for (int d = 0; d < v.length; d++) {
            v[d] = Float.parseFloat(f[d + 2]);
        }
        return v;
    }

    private static Triples data(String file, int lines, String sha256) {
        byte[] bytes = bytes(file);
        String actual;
        try {
            actual = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!actual.equals(sha256)) {
            throw new IllegalStateException(file + " is not the file Spark was fitted on: SHA-256 " + actual
                    + ", the golden says " + sha256 + " (rerun bench/run spark-golden)");
        }
        List<int[]> pairs = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            pairs.add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[1])});
            values.add(Float.parseFloat(f[2]));
        }
        if (pairs.size() != lines) {
            throw new IllegalStateException(file + ": " + pairs.size() + " rows, the golden says " + lines);
        }
        int[] u = new int[lines];
        int[] i = new int[lines];
        float[] v = new float[lines];
        for (int q = 0; q < lines; q++) {
            u[q] = pairs.get(q)[0];
            i[q] = pairs.get(q)[1];
            v[q] = values.get(q);
        }
        return new Triples(u, i, v);
    }

    private static String text(String file) {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String file) {
        try (InputStream in = SparkGoldenFile.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + DIR + file + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
