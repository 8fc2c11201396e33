package encore.bench.spark;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.Interactions;
import encore.data.LabelIndex;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
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
 * Checks {@code --init spark} against the real Spark MLlib: for several seeds, block counts, ranks and sparse id
 * sets (ids with gaps, so blocks hold uneven runs), an Encore fit with {@code maxIter = 0} must hold exactly Spark's
 * initial user and item factors, float bit for float bit. Exits 1 on the first difference.
 *
 * <p>Run by {@code bench/run spark-init-check} (and CI).
 */
public final class InitCheck {
    private InitCheck() {}

    public static void main(String[] args) {
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName("encore-init-check")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        StructType schema = new StructType()
                .add("user", DataTypes.IntegerType)
                .add("item", DataTypes.IntegerType)
                .add("rating", DataTypes.FloatType);
        int cases = 0;
        long values = 0;
        try {
            long[] seeds = {42L, AlsParams.SPARK_DEFAULT_SEED, 0L, -3L};
            int[] blocks = {10, 1, 3, 7};
            int[] ranks = {10, 1, 7, 64};
            for (int c = 0; c < seeds.length; c++) {
                SplittableRandom rnd = new SplittableRandom(1000 + c);
                int users = 300 + rnd.nextInt(500);
                int items = 200 + rnd.nextInt(300);
                int n = 2000 + rnd.nextInt(2000);
                int[] u = new int[n];
                int[] i = new int[n];
                float[] r = new float[n];
                List<Row> rows = new ArrayList<>(n);
                for (int q = 0; q < n; q++) {
                    int uu;
                    do {
                        uu = rnd.nextInt(users);
                    } while (uu % 11 == 5); // gaps: ids that never occur
                    u[q] = uu;
                    i[q] = rnd.nextInt(items);
                    r[q] = 1 + rnd.nextInt(5);
                    rows.add(RowFactory.create(u[q], i[q], r[q]));
                }
                AlsParams p = AlsParams.builder()
                        .rank(ranks[c])
                        .maxIter(0)
                        .seed(seeds[c])
                        .numBlocks(blocks[c])
                        .init(AlsParams.Init.SPARK)
                        .build();
                AlsModel encore;
                Interactions train = Interactions.fromCoordinates(labels("u", users), labels("i", items), u, i, r);
                encore = Als.with(p).backend("cpu").threads(2).fit(train).model();
                Dataset<Row> df = spark.createDataFrame(rows, schema);
                ALSModel model = new ALS()
                        .setRank(p.rank())
                        .setMaxIter(0)
                        .setSeed(p.seed())
                        .setNumBlocks(p.numBlocks())
                        .fit(df);
                values += compare(
                        "user", model.userFactors(), encore.userFactors().data(), p, encore::hasUser, users);
                values += compare(
                        "item", model.itemFactors(), encore.itemFactors().data(), p, encore::hasItem, items);
                cases++;
            }
        } finally {
            spark.stop();
        }
        System.out.printf(
                Locale.ROOT, "init check: %d cases, %,d factor values bit-identical to Spark's%n", cases, values);
    }

    private static LabelIndex labels(String prefix, int n) {
        String[] l = new String[n];
        for (int k = 0; k < n; k++) {
            l[k] = prefix + k;
        }
        return LabelIndex.ofOrdered(l, new int[n]);
    }

    private static long compare(
            String side, Dataset<Row> spark, float[] encore, AlsParams p, java.util.function.IntPredicate has, int n) {
        int k = p.rank();
        int sparkRows = 0;
        long values = 0;
        for (Row row : spark.collectAsList()) {
            int id = row.getInt(0);
            List<Object> v = row.getList(1);
            if (id >= n || !has.test(id)) {
                fail(side + " " + id + " has factors in Spark but not in Encore", p);
            }
            for (int d = 0; d < k; d++) {
                float s = (Float) v.get(d);
                float e = encore[id * k + d];
                if (Float.floatToRawIntBits(s) != Float.floatToRawIntBits(e)) {
                    fail(String.format(Locale.ROOT, "%s %d, dimension %d: Spark %s, Encore %s", side, id, d, s, e), p);
                }
                values++;
            }
            sparkRows++;
        }
        int encoreRows = 0;
        for (int id = 0; id < n; id++) {
            encoreRows += has.test(id) ? 1 : 0;
        }
        if (encoreRows != sparkRows) {
            fail(side + "s with factors: Spark " + sparkRows + ", Encore " + encoreRows, p);
        }
        return values;
    }

    private static void fail(String what, AlsParams p) {
        System.err.printf(
                Locale.ROOT,
                "init check FAILED (seed %d, %d blocks, rank %d): %s%n",
                p.seed(),
                p.numBlocks(),
                p.rank(),
                what);
        System.exit(1);
    }
}
