package encore.bench.spark;

import encore.als.AlsParams;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints the Spark golden that {@code SparkGoldenTest} (cpu-fallback, default build, no Spark) holds Encore's
 * {@code --init spark} fits to: the real Spark MLlib ALS, fitted on the tiny committed data sets of {@link GoldenData}
 * with {@code maxIter} = 1 … 5, and for each fit its RMSE (Spark's {@code RegressionEvaluator}) and every user and
 * item factor. Each maxIter is a fresh fit from Spark's initial factors, so the five fits are the first five iterations
 * of one trajectory.
 *
 * <p>Cases: explicit (rank 3, regParam 0.1, seed 42, 3 blocks; RMSE on the training and on the test ratings) and
 * implicit (rank 4, regParam 0.1, alpha 1.0, Spark's default seed and 10 blocks; RMSE of the prediction against the
 * preference p = [count &gt; 0] over every user × item pair). Doubles are printed with 17 significant digits and
 * floats with 9, so both read back exactly.
 *
 * <p>{@code SparkGolden DIR [--generate-data | --check]}: reads (with {@code --generate-data}: first writes) the data
 * files in DIR and writes {@code DIR/explicit.golden} and {@code DIR/implicit.golden}; with {@code --check} it writes
 * nothing and exits 1 when Spark no longer prints the committed goldens (CI runs that). Run by {@code bench/run
 * spark-golden}.
 */
public final class SparkGolden {
    private static final int MAX_ITER = 5;

    private SparkGolden() {}

    /** One golden: its file name, its data files (training set first) and the parameters Spark is given. */
    private record Case(String name, String[] files, AlsParams params) {}

    public static void main(String[] args) throws Exception {
        String mode = args.length == 2 ? args[1] : "";
        if (args.length < 1
                || args.length > 2
                || !List.of("", "--generate-data", "--check").contains(mode)) {
            System.err.println("usage: bench/run spark-golden [--generate-data | --check]");
            System.exit(2);
        }
        boolean generate = mode.equals("--generate-data");
        Path dir = Path.of(args[0]);
        if (generate) {
            GoldenData.write(dir);
        }
        Case[] cases = {
            new Case(
                    "explicit",
                    new String[] {GoldenData.EXPLICIT_TRAIN, GoldenData.EXPLICIT_TEST},
                    AlsParams.builder()
                            .rank(3)
                            .regParam(0.1)
                            .seed(42L)
                            .numBlocks(3)
                            .build()),
            new Case(
                    "implicit",
                    new String[] {GoldenData.IMPLICIT_TRAIN},
                    AlsParams.builder()
                            .rank(4)
                            .regParam(0.1)
                            .implicitPrefs(true)
                            .alpha(1.0)
                            .seed(AlsParams.SPARK_DEFAULT_SEED)
                            .numBlocks(AlsParams.SPARK_DEFAULT_NUM_BLOCKS)
                            .build())
        };
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("encore-spark-golden")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        boolean same = true;
        try {
            for (Case c : cases) {
                Path out = dir.resolve(c.name() + ".golden");
                String text = golden(spark, dir, c);
                if (mode.equals("--check")) {
                    same &= check(out, text);
                } else {
                    Files.writeString(out, text, StandardCharsets.UTF_8);
                    System.out.println("spark golden: wrote " + out);
                }
            }
        } finally {
            spark.stop();
        }
        if (!same) {
            System.exit(1);
        }
    }

    /**
     * Whether the committed golden {@code file} says what Spark printed now ({@code text}); prints the first
     * difference. Compared as {@code SparkGoldenTest} compares Encore: factors within 4 float ulps of their row's
     * largest magnitude, RMSE within 10⁻¹² (Spark's evaluator sums its partitions in whatever order they finish, which
     * moves the last bits of a double), other lines exactly, except the {@code java} line (the JDK's patch release).
     */
    private static boolean check(Path file, String text) throws IOException {
        String[] want = Files.readString(file, StandardCharsets.UTF_8).split("\n", -1);
        String[] got = text.split("\n", -1);
        int notBitIdentical = 0;
        for (int q = 0; q < Math.max(want.length, got.length); q++) {
            String w = q < want.length ? want[q] : "(end of file)";
            String g = q < got.length ? got[q] : "(end of output)";
            notBitIdentical += w.equals(g) ? 0 : 1;
            if (!close(w.split(" "), g.split(" "))) {
                System.err.printf(
                        Locale.ROOT,
                        "spark golden: %s differs at line %d:%n  committed: %s%n  Spark now: %s%n",
                        file,
                        q + 1,
                        w,
                        g);
                return false;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "spark golden: %s matches what Spark prints (%d lines not bit-identical)%n",
                file,
                notBitIdentical);
        return true;
    }

    /** Whether two golden lines, split into words, agree within the tolerances of {@link #check}. */
    private static boolean close(String[] w, String[] g) {
        if (w.length != g.length || !w[0].equals(g[0])) {
            return false;
        }
        switch (w[0]) {
            case "java":
                return true;
            case "rmse":
                return w[1].equals(g[1]) && Math.abs(Double.parseDouble(w[2]) - Double.parseDouble(g[2])) <= 1e-12;
            case "user", "item":
                if (!w[1].equals(g[1])) {
                    return false;
                }
                float scale = 0;
                for (int d = 2; d < w.length; d++) {
                    scale = Math.max(scale, Math.abs(Float.parseFloat(w[d])));
                }
                for (int d = 2; d < w.length; d++) {
                    if (Math.abs((double) Float.parseFloat(w[d]) - Float.parseFloat(g[d])) > 4 * Math.ulp(scale)) {
                        return false;
                    }
                }
                return true;
            default:
                return String.join(" ", w).equals(String.join(" ", g));
        }
    }

    private static String golden(SparkSession spark, Path dir, Case c) throws IOException, NoSuchAlgorithmException {
        AlsParams p = c.params();
        StringBuilder sb = new StringBuilder();
        sb.append("# Spark MLlib ALS golden for SparkGoldenTest, printed by bench/run spark-golden ")
                .append("(SparkGolden); do not edit.\n");
        sb.append("spark ").append(spark.version()).append('\n');
        sb.append("java ").append(System.getProperty("java.version")).append('\n');
        sb.append("blas ").append(blasName()).append('\n');
        List<Dataset<Row>> frames = new ArrayList<>();
        for (String f : c.files()) {
            byte[] bytes = Files.readAllBytes(dir.resolve(f));
            List<Row> rows = parse(new String(bytes, StandardCharsets.UTF_8));
            sb.append(String.format(Locale.ROOT, "data %s %d sha256 %s\n", f, rows.size(), sha256(bytes)));
            frames.add(spark.createDataFrame(rows, schema()));
        }
        sb.append(String.format(
                Locale.ROOT,
                "params rank %d regParam %s implicitPrefs %s alpha %s seed %d numBlocks %d\n",
                p.rank(),
                p.regParam(),
                p.implicitPrefs(),
                p.alpha(),
                p.seed(),
                p.numBlocks()));
        Dataset<Row> train = frames.get(0).cache();
        Dataset<Row> allPairs = p.implicitPrefs() ? preferences(spark, train) : null;
        for (int iter = 1; iter <= MAX_ITER; iter++) {
            ALSModel m = new ALS()
                    .setRank(p.rank())
                    .setMaxIter(iter)
                    .setRegParam(p.regParam())
                    .setImplicitPrefs(p.implicitPrefs())
                    .setAlpha(p.alpha())
                    .setSeed(p.seed())
                    .setNumBlocks(p.numBlocks())
                    .setColdStartStrategy("drop")
                    .fit(train);
            sb.append("fit maxIter ").append(iter).append('\n');
            RegressionEvaluator ev =
                    new RegressionEvaluator().setMetricName("rmse").setLabelCol("rating");
            if (p.implicitPrefs()) {
                sb.append(rmseLine("all-pairs-preference", ev.evaluate(m.transform(allPairs))));
            } else {
                sb.append(rmseLine("train", ev.evaluate(m.transform(train))));
                sb.append(rmseLine("test", ev.evaluate(m.transform(frames.get(1)))));
            }
            factors(sb, "user", m.userFactors());
            factors(sb, "item", m.itemFactors());
        }
        return sb.toString();
    }

    private static String rmseLine(String on, double rmse) {
        return String.format(Locale.ROOT, "rmse %s %.17g\n", on, rmse);
    }

    /** Every (user, item) pair of the training set's users and items, rating = 1 where observed with r &gt; 0. */
    private static Dataset<Row> preferences(SparkSession spark, Dataset<Row> train) {
        TreeMap<Integer, Boolean> users = new TreeMap<>();
        TreeMap<Integer, Boolean> items = new TreeMap<>();
        Set<Long> positive = new HashSet<>();
        for (Row r : train.collectAsList()) {
            users.put(r.getInt(0), true);
            items.put(r.getInt(1), true);
            if (r.getFloat(2) > 0) {
                positive.add(((long) r.getInt(0) << 32) | r.getInt(1));
            }
        }
        List<Row> rows = new ArrayList<>();
        for (int u : users.keySet()) {
            for (int i : items.keySet()) {
                rows.add(RowFactory.create(u, i, positive.contains(((long) u << 32) | i) ? 1f : 0f));
            }
        }
        return spark.createDataFrame(rows, schema());
    }

    private static void factors(StringBuilder sb, String side, Dataset<Row> f) {
        TreeMap<Integer, List<Object>> byId = new TreeMap<>();
        for (Row r : f.collectAsList()) {
            byId.put(r.getInt(0), r.getList(1));
        }
        for (var e : byId.entrySet()) {
            sb.append(side).append(' ').append(e.getKey());
            for (Object v : e.getValue()) {
                sb.append(' ').append(String.format(Locale.ROOT, "%.9g", (double) (Float) v));
            }
            sb.append('\n');
        }
    }

    private static StructType schema() {
        return new StructType()
                .add("user", DataTypes.IntegerType)
                .add("item", DataTypes.IntegerType)
                .add("rating", DataTypes.FloatType);
    }

    /** The data file's lines (user TAB item TAB value; '#' lines are comments) as rows. */
    private static List<Row> parse(String text) {
        List<Row> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            rows.add(RowFactory.create(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Float.parseFloat(f[2])));
        }
        return rows;
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** The BLAS Spark's ALS ran on (its normal equations use Spark's {@code BLAS.nativeBLAS}): it decides last bits. */
    private static String blasName() {
        try {
            Class<?> module = Class.forName("org.apache.spark.ml.linalg.BLAS$");
            Object blas = module.getMethod("nativeBLAS")
                    .invoke(module.getField("MODULE$").get(null));
            return blas.getClass().getName();
        } catch (ReflectiveOperationException e) {
            return "unknown (" + e + ")";
        }
    }
}
