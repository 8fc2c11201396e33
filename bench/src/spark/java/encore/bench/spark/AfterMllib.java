package encore.bench.spark;

import encore.als.Als;
import encore.als.AlsParams;
import encore.matrix.Csr;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Whether MLlib running first in a JVM slows Encore's CPU kernels there (as in a Spark executor that fitted an MLlib
 * model before an EncoreALS one): single-machine Encore fits — implicit, rank 64, 3 iterations, 1 thread, on a seeded
 * random 20,000 × 40,000 matrix of 600,000 ratings — timed in this JVM, either alone ({@code alone}) or after an
 * MLlib ALS fit (implicit, rank 64, local[1]) in the same JVM ({@code after-mllib}). The JIT's profiles are per JVM,
 * so each mode needs a fresh one: {@code bench/run spark-after-mllib} runs both and prints one line each.
 */
public final class AfterMllib {
    private AfterMllib() {}

    public static void main(String[] args) {
        boolean afterMllib = args.length == 1 && args[0].equals("after-mllib");
        if (args.length != 1 || !(afterMllib || args[0].equals("alone"))) {
            System.err.println("usage: AfterMllib alone|after-mllib");
            System.exit(2);
        }
        double mllib = Double.NaN;
        if (afterMllib) {
            mllib = fitMllib();
        }
        Csr m = ratings(20_000, 40_000, 600_000, 1);
        AlsParams p = AlsParams.builder()
                .rank(64)
                .implicitPrefs(true)
                .alpha(10)
                .regParam(0.1)
                .maxIter(3)
                .build();
        double[] s = new double[4];
        for (int r = 0; r < s.length; r++) {
            long t0 = System.nanoTime();
            Als.with(p).backend("cpu").threads(1).fit(m).model();
            s[r] = (System.nanoTime() - t0) / 1e9;
        }
        double best = Math.min(Math.min(s[1], s[2]), s[3]);
        System.out.printf(
                Locale.ROOT,
                "%-12s Encore implicit rank-64 fit, 3 iterations, 1 thread: first %.2f s, best of the next 3 %.2f s%s%n",
                args[0],
                s[0],
                best,
                afterMllib ? String.format(Locale.ROOT, " (after an MLlib ALS fit of %.1f s)", mllib) : "");
    }

    /** A seeded random matrix with skewed item popularity (half-normal), values 1..5. */
    private static Csr ratings(int users, int items, int nnz, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] u = new int[nnz];
        int[] i = new int[nnz];
        float[] v = new float[nnz];
        java.util.Random gauss = new java.util.Random(seed);
        for (int q = 0; q < nnz; q++) {
            u[q] = rnd.nextInt(users);
            i[q] = (int) Math.min(items - 1, Math.abs(gauss.nextGaussian()) * items / 3);
            v[q] = 1 + rnd.nextInt(5);
        }
        return Csr.fromCoordinates(users, items, u, i, v);
    }

    /** MLlib's ALS, implicit at rank 64, on 200,000 random ratings in local[1]; returns its seconds. */
    private static double fitMllib() {
        SparkSession spark = SparkSession.builder()
                .master("local[1]")
                .appName("encore-after-mllib")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        try {
            SplittableRandom rnd = new SplittableRandom(2);
            List<Row> rows = new ArrayList<>();
            for (int q = 0; q < 200_000; q++) {
                rows.add(RowFactory.create(rnd.nextInt(5_000), rnd.nextInt(8_000), (float) (1 + rnd.nextInt(5))));
            }
            StructType schema = new StructType()
                    .add("user", DataTypes.IntegerType)
                    .add("item", DataTypes.IntegerType)
                    .add("rating", DataTypes.FloatType);
            Dataset<Row> df = spark.createDataFrame(rows, schema);
            long t0 = System.nanoTime();
            new ALS()
                    .setRank(64)
                    .setImplicitPrefs(true)
                    .setAlpha(10)
                    .setMaxIter(3)
                    .setNumBlocks(2)
                    .fit(df)
                    .userFactors()
                    .count();
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            spark.stop();
        }
    }
}
