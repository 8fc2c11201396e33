package encore.spark;

import encore.als.Als;
import encore.als.AlsModel;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EncoreALS on a real Spark ({@code local[2]}): its params are ALS's, its fit equals single-machine Encore's (bit for
 * bit in explicit mode, through both ways of shipping factors and any block counts), starts where MLlib starts and
 * lands where MLlib lands, works in the seed's Pipeline, persists, and rejects bad input with Spark's messages.
 */
class EncoreALSTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("EncoreALSTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void everyParamOfAlsIsThereWithItsDocAndDefault() {
        ALS als = new ALS();
        EncoreALS encore = new EncoreALS();
        for (Param<?> p : als.params()) {
            assertTrue(encore.hasParam(p.name()), p.name());
            Param<Object> mine = encore.getParam(p.name());
            assertEquals(p.doc(), mine.doc(), p.name());
            assertEquals(als.getDefault(p).isDefined(), encore.getDefault(mine).isDefined(), p.name());
            if (als.getDefault(p).isDefined()) {
                assertEquals(als.getDefault(p).get(), encore.getDefault(mine).get(), p.name() + " default");
            }
        }
        assertEquals(als.params().length + 5, encore.params().length, "ALS's params plus Encore's five");
        assertEquals("auto", encore.getEngine());
        assertEquals("cholesky", encore.getSolver());
        assertEquals("spark", encore.getInit());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "rank, 0",
        "maxIter, -1",
        "regParam, -0.5",
        "alpha, -1.0",
        "numUserBlocks, 0",
        "numItemBlocks, 0",
        "checkpointInterval, 0",
        "coldStartStrategy, bogus",
        "intermediateStorageLevel, NONE",
        "finalStorageLevel, SOMEWHERE"
    })
    void invalidValuesFailAsOnAls(String name, String value) {
        ALS als = new ALS("same");
        EncoreALS encore = new EncoreALS("same");
        Param<Object> a = als.getParam(name);
        Param<Object> e = encore.getParam(name);
        Object v = a.jsonDecode(value.matches("-?[0-9.]+") ? value : "\"" + value + "\"");
        IllegalArgumentException expected = assertThrows(IllegalArgumentException.class, () -> als.set(a, v));
        IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () -> encore.set(e, v));
        assertEquals(expected.getMessage(), got.getMessage());
    }

    @Test
    void encoresOwnParamsAreValidated() {
        EncoreALS e = new EncoreALS();
        assertThrows(IllegalArgumentException.class, () -> e.setEngine("tpu"));
        assertThrows(IllegalArgumentException.class, () -> e.setSolver("lsqr"));
        assertThrows(IllegalArgumentException.class, () -> e.setCgSteps(0));
        assertThrows(IllegalArgumentException.class, () -> e.setInit("random"));
        assertThrows(IllegalArgumentException.class, () -> e.setBroadcastThreshold(-1));
        IllegalArgumentException cg = assertThrows(
                IllegalArgumentException.class,
                () -> new EncoreALS().setSolver("cg").fit(ratings(randomTriples(30, 20, 200, 1))));
        assertTrue(cg.getMessage().contains("implicitPrefs"), cg.getMessage());
    }

    /**
     * Explicit feedback: the distributed factors are the single-machine factors bit for bit, for several block
     * counts and both ways of shipping factors (broadcast, join).
     */
    @ParameterizedTest(name = "{0} user blocks, {1} item blocks, broadcast threshold {2}, init {3}")
    @CsvSource({"3, 3, 0, spark", "3, 3, 1000000000, spark", "4, 4, 0, encore", "2, 5, 0, encore", "1, 1, 0, spark"})
    void explicitFactorsEqualSingleMachineEncore(int userBlocks, int itemBlocks, long threshold, String init) {
        int users = 57;
        int items = 41;
        int[][] t = randomTriples(users, items, 900, 7);
        EncoreALS est =
                new EncoreALS().setInit(init).setBroadcastThreshold(threshold).setEngine("cpu");
        est.setRank(6)
                .setMaxIter(4)
                .setRegParam(0.05)
                .setNumUserBlocks(userBlocks)
                .setNumItemBlocks(itemBlocks);
        est.setSeed(11);
        ALSModel model = est.fit(ratings(t));
        if (init.equals("spark") && userBlocks != itemBlocks) {
            return; // single-machine Spark init takes one block count for both sides
        }
        AlsModel single = Als.with(est.alsParams())
                .backend("cpu")
                .threads(2)
                .fit(csr(t, users, items))
                .model();
        assertFactorsEqual(single.userFactors(), model.userFactors(), 0);
        assertFactorsEqual(single.itemFactors(), model.itemFactors(), 0);
    }

    /** Implicit feedback (Cholesky and CG): equal to rounding — YᵀY is summed block by block. */
    @ParameterizedTest(name = "solver {0}")
    @CsvSource({"cholesky", "cg"})
    void implicitFactorsEqualSingleMachineEncoreToRounding(String solver) {
        int users = 60;
        int items = 45;
        int[][] t = randomTriples(users, items, 1000, 3);
        EncoreALS est = new EncoreALS().setEngine("cpu").setSolver(solver).setBroadcastThreshold(0);
        est.setRank(5)
                .setMaxIter(3)
                .setRegParam(0.1)
                .setImplicitPrefs(true)
                .setAlpha(2)
                .setNumBlocks(3);
        ALSModel model = est.fit(ratings(t));
        AlsModel single = Als.with(est.alsParams())
                .backend("cpu")
                .threads(1)
                .fit(csr(t, users, items))
                .model();
        assertFactorsEqual(single.userFactors(), model.userFactors(), 1e-5);
        assertFactorsEqual(single.itemFactors(), model.itemFactors(), 1e-5);
    }

    /** With init=spark the fit starts where MLlib's does and, both exact, ends where it ends (float rounding apart). */
    @Test
    void withSparkInitTheFactorsAreMllibs() {
        int[][] t = randomTriples(80, 50, 1500, 5);
        Dataset<Row> df = ratings(t);
        ALS als = new ALS()
                .setRank(4)
                .setMaxIter(5)
                .setRegParam(0.1)
                .setNumBlocks(3)
                .setSeed(42);
        EncoreALS est = new EncoreALS().setEngine("cpu");
        est.setRank(4).setMaxIter(5).setRegParam(0.1).setNumBlocks(3).setSeed(42);
        ALSModel theirs = als.fit(df);
        ALSModel ours = est.fit(df);
        Map<Integer, float[]> a = factorMap(theirs.userFactors());
        Map<Integer, float[]> b = factorMap(ours.userFactors());
        assertEquals(a.keySet(), b.keySet());
        for (Map.Entry<Integer, float[]> e : a.entrySet()) {
            float[] x = e.getValue();
            float[] y = b.get(e.getKey());
            for (int d = 0; d < x.length; d++) {
                assertEquals(x[d], y[d], 1e-4 * Math.max(1, Math.abs(x[d])), "user " + e.getKey() + " dim " + d);
            }
        }
        double rmseTheirs = rmse(theirs, df);
        double rmseOurs = rmse(ours, df);
        assertEquals(rmseTheirs, rmseOurs, 1e-5);
    }

    /** The seed's pipeline shape: two StringIndexers, then the estimator; the fitted pipeline saves and loads. */
    @Test
    void worksAsAPipelineStageAndPersists(@TempDir Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(9);
        for (int q = 0; q < 400; q++) {
            rows.add(RowFactory.create("user" + rnd.nextInt(30), "track" + rnd.nextInt(25), 1.0 + rnd.nextInt(9)));
        }
        StructType schema = new StructType()
                .add("user_id", DataTypes.StringType)
                .add("track", DataTypes.StringType)
                .add("count", DataTypes.DoubleType);
        Dataset<Row> df = spark.createDataFrame(rows, schema);
        StringIndexer users =
                new StringIndexer().setInputCol("user_id").setOutputCol("user").setHandleInvalid("keep");
        StringIndexer tracks =
                new StringIndexer().setInputCol("track").setOutputCol("item").setHandleInvalid("keep");
        EncoreALS est = new EncoreALS().setEngine("cpu");
        est.setRatingCol("count").setMaxIter(3).setRegParam(0.01).setColdStartStrategy("drop");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {users, tracks, est});
        PipelineModel fitted = pipeline.fit(df);
        Dataset<Row> predicted = fitted.transform(df);
        assertEquals(df.count(), predicted.count());
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        ALSModel m = (ALSModel) loaded.stages()[2];
        assertEquals(10, m.rank());
        assertEquals(
                predicted.orderBy("user_id", "track").select("prediction").collectAsList(),
                loaded.transform(df)
                        .orderBy("user_id", "track")
                        .select("prediction")
                        .collectAsList());
        String estPath = dir.resolve("estimator").toString();
        pipeline.write().overwrite().save(estPath);
        Pipeline again = Pipeline.load(estPath);
        EncoreALS back = (EncoreALS) again.getStages()[2];
        assertEquals("count", back.getRatingCol());
        assertEquals("cpu", back.getEngine());
        assertNotNull(m.recommendForAllUsers(3).first());
    }

    @Test
    void badIdsAndRatingsFailWithSparksMessages() {
        StructType schema = new StructType()
                .add("user", DataTypes.LongType)
                .add("item", DataTypes.IntegerType)
                .add("rating", DataTypes.FloatType);
        Dataset<Row> tooLarge = spark.createDataFrame(
                List.of(RowFactory.create(1L, 1, 1f), RowFactory.create(1L << 40, 2, 1f)), schema);
        Dataset<Row> nan = spark.createDataFrame(
                List.of(RowFactory.create(1L, 1, 1f), RowFactory.create(2L, 2, Float.NaN)), schema);
        for (Dataset<Row> bad : List.of(tooLarge, nan)) {
            Exception theirs =
                    assertThrows(Exception.class, () -> new ALS().setMaxIter(1).fit(bad));
            Exception ours = assertThrows(
                    Exception.class, () -> new EncoreALS().setMaxIter(1).fit(bad));
            assertEquals(rootMessage(theirs), rootMessage(ours));
        }
    }

    // ---- helpers

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    /** n random (user, item, rating) with distinct pairs, every user and item rated at least once. */
    static int[][] randomTriples(int users, int items, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        java.util.Set<Long> seen = new java.util.HashSet<>();
        List<int[]> out = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            add(out, seen, u, rnd.nextInt(items), rnd);
        }
        for (int i = 0; i < items; i++) {
            add(out, seen, rnd.nextInt(users), i, rnd);
        }
        while (out.size() < n) {
            add(out, seen, rnd.nextInt(users), rnd.nextInt(items), rnd);
        }
        return out.toArray(new int[0][]);
    }

    private static void add(List<int[]> out, java.util.Set<Long> seen, int u, int i, SplittableRandom rnd) {
        if (seen.add(((long) u << 32) | i)) {
            out.add(new int[] {u, i, 1 + rnd.nextInt(5)});
        }
    }

    static Dataset<Row> ratings(int[][] t) {
        List<Row> rows = new ArrayList<>();
        for (int[] r : t) {
            rows.add(RowFactory.create(r[0], r[1], (float) r[2]));
        }
        StructType schema = new StructType()
                .add("user", DataTypes.IntegerType)
                .add("item", DataTypes.IntegerType)
                .add("rating", DataTypes.FloatType);
        return spark.createDataFrame(rows, schema).repartition(3);
    }

    static Csr csr(int[][] t, int users, int items) {
        int[] r = new int[t.length];
        int[] c = new int[t.length];
        float[] v = new float[t.length];
        for (int q = 0; q < t.length; q++) {
            r[q] = t[q][0];
            c[q] = t[q][1];
            v[q] = t[q][2];
        }
        return Csr.fromCoordinates(users, items, r, c, v);
    }

    static Map<Integer, float[]> factorMap(Dataset<Row> factors) {
        Map<Integer, float[]> m = new HashMap<>();
        for (Row row : factors.collectAsList()) {
            List<Object> f = row.getList(1);
            float[] v = new float[f.size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = (Float) f.get(d);
            }
            m.put(row.getInt(0), v);
        }
        return m;
    }

    /** Every present row of {@code single} equals the DataFrame's row of that id, within {@code rel} (0: bits). */
    static void assertFactorsEqual(Factors single, Dataset<Row> distributed, double rel) {
        Map<Integer, float[]> m = factorMap(distributed);
        assertEquals(single.presentCount(), m.size(), "entities with factors");
        for (int r = single.nextPresent(0); r >= 0; r = single.nextPresent(r + 1)) {
            float[] want = single.row(r);
            float[] got = m.get(r);
            assertNotNull(got, "id " + r);
            if (rel == 0) {
                assertArrayEquals(want, got, "id " + r);
            } else {
                for (int d = 0; d < want.length; d++) {
                    assertEquals(want[d], got[d], rel * Math.max(1, Math.abs(want[d])), "id " + r + " dim " + d);
                }
            }
        }
    }

    private static double rmse(ALSModel m, Dataset<Row> df) {
        Row r = m.transform(df)
                .selectExpr("sqrt(avg((rating - prediction) * (rating - prediction)))")
                .first();
        return r.getDouble(0);
    }
}
