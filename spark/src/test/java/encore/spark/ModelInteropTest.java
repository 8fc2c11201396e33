package encore.spark;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FoldIn;
import encore.als.Recommendations;
import encore.als.io.ModelStore;
import encore.data.LabelIndex;
import encore.matrix.Factors;
import org.apache.spark.ml.feature.StringIndexer;
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

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encore models to and from Spark's own {@code ALSModel} directories on a real Spark ({@code local[2]}): an export is
 * what {@code ALSModel.load} reads, with Encore's factors bit for bit and Encore's predictions and lists; an MLlib fit
 * imports with Spark's predictions and lists (and folds in as Spark trained); Encore → Spark → Encore is exact; bad
 * directories and label files are rejected naming the file and the field.
 */
class ModelInteropTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("ModelInteropTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Users: 0 and 1 and 3 have factors, 2 is cold; labels that CSV must quote, non-ASCII, empty. */
    static final String[] USERS = {"ü,ser \"1\"", "日本語 ユーザー", "cold user", " padded "};
    /** Items: 3 is cold. */
    static final String[] ITEMS = {"line\nbreak", "emoji 🎵", "", "back\\slash", "plain"};

    /**
     * Rank 2, dyadic factors (every product and sum exact in float, so any summation order gives the same score):
     *
     * <pre>
     *          i0 (2, 1)  i1 (.5, -.5)  i2 (-1, .25)  i3 cold  i4 (1.5, 1.25)
     * u0 (1, .5)     2.5       .25          -.875                2.125
     * u1 (-.25, 2)   1.5     -1.125          .75                 2.125
     * u3 (.75, -1)    .5       .875        -1.0                  -.125
     * </pre>
     */
    static AlsModel handMade() {
        BitSet users = new BitSet();
        users.set(0, 2);
        users.set(3);
        BitSet items = new BitSet();
        items.set(0, 3);
        items.set(4);
        AlsParams params = AlsParams.builder()
                .rank(2)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(40)
                .maxIter(7)
                .seed(11)
                .coldStartStrategy(AlsParams.ColdStartStrategy.DROP)
                .build();
        return new AlsModel(
                params,
                LabelIndex.ofOrdered(USERS, new int[] {3, 2, 0, 1}),
                LabelIndex.ofOrdered(ITEMS, new int[] {4, 3, 2, 0, 1}),
                Factors.wrap(new float[] {1, .5f, -.25f, 2, 0, 0, .75f, -1}, 4, 2, users),
                Factors.wrap(new float[] {2, 1, .5f, -.5f, -1, .25f, 0, 0, 1.5f, 1.25f}, 5, 2, items));
    }

    private static Map<Integer, float[]> factors(Dataset<Row> df) {
        Map<Integer, float[]> m = new TreeMap<>();
        for (Row r : df.collectAsList()) {
            List<Object> f = r.getList(1);
            float[] v = new float[f.size()];
            for (int d = 0; d < v.length; d++) {
                v[d] = (Float) f.get(d);
            }
            assertTrue(m.put(r.getInt(0), v) == null, "id " + r.getInt(0) + " once");
        }
        return m;
    }

    private static void assertSameFactors(Factors encore, Map<Integer, float[]> spark) {
        assertEquals(encore.presentCount(), spark.size(), "one row per entity with factors");
        for (Map.Entry<Integer, float[]> e : spark.entrySet()) {
            assertTrue(encore.has(e.getKey()), "id " + e.getKey() + " has factors");
            float[] want = encore.row(e.getKey());
            for (int d = 0; d < want.length; d++) {
                assertEquals(Float.floatToRawIntBits(want[d]), Float.floatToRawIntBits(e.getValue()[d]));
            }
        }
    }

    /** Every (user, item) pair of ids, as a DataFrame with the given columns. */
    private static Dataset<Row> pairs(String userCol, String itemCol, int[] users, int[] items) {
        List<Row> rows = new ArrayList<>();
        for (int u : users) {
            for (int i : items) {
                rows.add(RowFactory.create(u, i));
            }
        }
        StructType schema =
                new StructType().add(userCol, DataTypes.IntegerType, false).add(itemCol, DataTypes.IntegerType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** Spark's recommendForAllUsers as user id → item ids and scores, best first. */
    private static Map<Integer, List<float[]>> sparkLists(ALSModel m, int k, String userCol, String itemCol) {
        Map<Integer, List<float[]>> out = new TreeMap<>();
        for (Row r : m.recommendForAllUsers(k).collectAsList()) {
            List<float[]> list = new ArrayList<>();
            for (Object o : r.getList(1)) {
                Row rec = (Row) o;
                list.add(new float[] {rec.getInt(rec.fieldIndex(itemCol)), rec.getFloat(rec.fieldIndex("rating"))});
            }
            out.put(r.getInt(r.fieldIndex(userCol)), list);
        }
        return out;
    }

    @Test
    void anExportIsSparksOwnAlsModelWithEncoresFactorsPredictionsAndLists(@TempDir Path tmp) throws IOException {
        AlsModel model = handMade();
        Path dir = tmp.resolve("models").resolve("spark-model");
        SparkModelFiles.export(
                spark, model, Map.of("created_by", "test"), dir.toString(), SparkModelFiles.ExportOptions.defaults());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("."))
                    .sorted()
                    .toList();
            assertEquals(
                    List.of(
                            "encore.json",
                            "itemFactors",
                            "item_labels.csv",
                            "metadata",
                            "userFactors",
                            "user_labels.csv"),
                    names);
        }
        try (Stream<Path> files = Files.list(dir.getParent())) {
            assertEquals(List.of(dir), files.toList(), "no temporary directory left beside it");
        }
        assertEquals(
                "id,label,frequency\n0,\"ü,ser \"\"1\"\"\",3\n1,日本語 ユーザー,2\n2,cold user,0\n3,\" padded \",1\n",
                Files.readString(dir.resolve("user_labels.csv")));
        assertEquals(
                "id,label,frequency\n0,\"line\nbreak\",4\n1,emoji 🎵,3\n2,\"\",2\n3,back\\slash,0\n4,plain,1\n",
                Files.readString(dir.resolve("item_labels.csv")));

        ALSModel loaded = ALSModel.load(dir.toString());
        assertEquals(2, loaded.rank());
        assertEquals("user", loaded.getUserCol());
        assertEquals("item", loaded.getItemCol());
        assertEquals("prediction", loaded.getPredictionCol());
        assertEquals("drop", loaded.getColdStartStrategy(), "Encore's coldStartStrategy");
        assertEquals(4096, loaded.getBlockSize());
        assertEquals(
                FactorFrames.SCHEMA.simpleString(),
                loaded.userFactors().schema().simpleString());
        assertSameFactors(model.userFactors(), factors(loaded.userFactors()));
        assertSameFactors(model.itemFactors(), factors(loaded.itemFactors()));

        // transform (coldStartStrategy drop): exactly the 3 × 4 pairs with factors, each Encore's prediction
        List<Row> predicted = loaded.transform(pairs("user", "item", new int[] {0, 1, 2, 3}, new int[] {0, 1, 2, 3, 4}))
                .collectAsList();
        assertEquals(12, predicted.size());
        for (Row r : predicted) {
            float want = model.predict(r.getInt(0), r.getInt(1));
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(r.getFloat(2)), r.toString());
        }
        assertEquals(2.125f, model.predict(1, 4));
        // recommendForAllUsers(2): Encore's lists, hand-checked
        Map<Integer, List<float[]>> lists = sparkLists(loaded, 2, "user", "item");
        Recommendations encore = model.recommendForAllUsers(2, null);
        assertEquals(List.of(0, 1, 3), List.copyOf(lists.keySet()));
        int[][] expected = {{0, 4}, {4, 0}, null, {1, 0}};
        for (int u : lists.keySet()) {
            List<float[]> l = lists.get(u);
            assertArrayEquals(expected[u], encore.ids(u));
            for (int r = 0; r < 2; r++) {
                assertEquals(encore.id(u, r), (int) l.get(r)[0], "user " + u + " rank " + r);
                assertEquals(encore.score(u, r), l.get(r)[1], "user " + u + " rank " + r);
            }
        }
        // the label files as Spark reads them with the options docs/spark-interop.md gives (nullValue: so that the
        // quoted empty label reads as "", not null)
        Map<Integer, String> labels = new HashMap<>();
        for (Row r : spark.read()
                .option("header", "true")
                .option("multiLine", "true")
                .option("escape", "\"")
                .option("nullValue", "\u0000")
                .schema("id INT, label STRING, frequency INT")
                .csv(dir.resolve("item_labels.csv").toString())
                .collectAsList()) {
            labels.put(r.getInt(0), r.getString(1));
        }
        assertEquals(Map.of(0, ITEMS[0], 1, ITEMS[1], 2, ITEMS[2], 3, ITEMS[3], 4, ITEMS[4]), labels);
    }

    @Test
    void encoreToSparkToEncoreIsExactAndTheCommandLineDoesIt(@TempDir Path tmp) throws IOException {
        AlsModel model = handMade();
        Path file = tmp.resolve("m.encore");
        ModelStore.save(file, model, null, Map.of("created_by", "test"));
        Path dir = tmp.resolve("exported");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] export = {"export", "--model", file.toString(), "--out", dir.toString()};
        assertEquals(0, run(export, out, err), err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("3 of 4 users and 4 of 5 items have factors"));
        // a second export refuses to replace the first, unless told to
        assertEquals(1, run(export, out, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("already exists"), err.toString());
        String[] again = {"export", "--model", file.toString(), "--out", dir.toString(), "--overwrite"};
        assertEquals(0, run(again, out, err), err.toString(StandardCharsets.UTF_8));

        Path back = tmp.resolve("back.encore");
        assertEquals(
                0,
                run(new String[] {"import", "--from", dir.toString(), "--out", back.toString()}, out, err),
                err.toString(StandardCharsets.UTF_8));
        ModelStore.Stored s = ModelStore.load(back);
        assertEquals(model.params(), s.model().params(), "every parameter, from encore.json and the Spark model");
        assertEquals(model.users(), s.model().users(), "labels and frequencies");
        assertEquals(model.items(), s.model().items());
        assertEquals(model.userFactors(), s.model().userFactors(), "bit for bit, cold rows included");
        assertEquals(model.itemFactors(), s.model().itemFactors());
        assertEquals(null, s.seen(), "Spark keeps no training data");
        assertEquals(
                "Spark (rank, coldStartStrategy), encore.json", s.metadata().get("params_from"));
        assertEquals("file:" + dir, s.metadata().get("source"));

        // options override encore.json
        SparkModelFiles.Imported explicit = SparkModelFiles.importModel(
                spark, dir.toString(), new SparkModelFiles.ImportOptions(null, null, 0.5, false, null, null));
        assertFalse(explicit.model().params().implicitPrefs());
        assertEquals(0.5, explicit.model().params().regParam());
        assertEquals(11L, explicit.model().params().seed(), "the rest from encore.json");

        // usage errors: status 2, naming the option
        out.reset();
        assertEquals(0, run(new String[] {"export", "--help"}, out, err));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: ModelInterop export --model FILE"));
        err.reset();
        assertEquals(2, run(new String[] {"import", "--from", dir.toString()}, out, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out is required"), err.toString());
        err.reset();
        assertEquals(
                2, run(new String[] {"import", "--from", "x", "--out", "y", "--explicit", "--alpha", "1"}, out, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--alpha is for implicit feedback"));
        err.reset();
        assertEquals(2, run(new String[] {"export", "--model", "m", "--out", "d", "--reg", "1"}, out, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --reg"), err.toString());
    }

    private static int run(String[] args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return ModelInterop.run(
                spark,
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** Ratings of users 10…50 for items 3…11 (ids that are not indices), distinct enough for tie-free lists. */
    private static final int[][] RATINGS = {
        {10, 3, 5}, {10, 5, 3}, {10, 7, 1}, {20, 3, 4}, {20, 9, 2}, {20, 11, 5}, {30, 5, 5}, {30, 7, 4},
        {30, 9, 1}, {40, 3, 1}, {40, 7, 5}, {40, 11, 2}, {50, 5, 2}, {50, 9, 5}, {50, 11, 4}, {50, 3, 3}
    };

    private static Dataset<Row> ratings() {
        List<Row> rows = new ArrayList<>();
        for (int[] t : RATINGS) {
            rows.add(RowFactory.create(t[0], t[1], (float) t[2]));
        }
        StructType schema = new StructType()
                .add("u", DataTypes.IntegerType, false)
                .add("i", DataTypes.IntegerType, false)
                .add("rating", DataTypes.FloatType, false);
        return spark.createDataFrame(rows, schema);
    }

    @Test
    void anMllibFitImportsWithSparksPredictionsListsAndFoldIn(@TempDir Path tmp) throws IOException {
        ALSModel fitted = new ALS()
                .setRank(3)
                .setMaxIter(10)
                .setRegParam(0.1)
                .setSeed(7)
                .setNumBlocks(2)
                .setUserCol("u")
                .setItemCol("i")
                .fit(ratings());
        Path dir = tmp.resolve("mllib");
        fitted.write().save(dir.toString());
        // user labels as Spark's CSV writer leaves them (a directory of part files), with the options the docs give
        String[] names = {"ann, \"the\" first", "bob\nbaker", " cy ", "dän", "", "never rated"};
        List<Row> labelRows = new ArrayList<>();
        int[] labelIds = {10, 20, 30, 40, 50, 60};
        for (int q = 0; q < names.length; q++) {
            labelRows.add(RowFactory.create(labelIds[q], names[q]));
        }
        Path userLabels = tmp.resolve("user_labels");
        spark.createDataFrame(
                        labelRows,
                        new StructType().add("id", DataTypes.IntegerType).add("label", DataTypes.StringType))
                .repartition(2)
                .write()
                .option("header", "true")
                .option("escape", "\"")
                .option("ignoreLeadingWhiteSpace", "false")
                .option("ignoreTrailingWhiteSpace", "false")
                .csv(userLabels.toString());

        IllegalArgumentException noParams = assertThrows(
                IllegalArgumentException.class,
                () -> SparkModelFiles.importModel(spark, dir.toString(), SparkModelFiles.ImportOptions.none()));
        assertTrue(
                noParams.getMessage().contains("regParam (--reg), implicitPrefs (--explicit or --implicit)"),
                noParams.getMessage());

        SparkModelFiles.Imported imported = SparkModelFiles.importModel(
                spark,
                dir.toString(),
                SparkModelFiles.ImportOptions.explicit(0.1).withLabels(userLabels.toString(), null));
        AlsModel m = imported.model();
        assertEquals(3, m.rank());
        assertEquals(0.1, m.params().regParam());
        assertFalse(m.params().implicitPrefs());
        assertEquals("4.2.0", imported.metadata().get("spark_version"));
        // users: the label file's ids ascending (60 has no factors); items: the ids with factors, as decimal labels
        assertArrayEquals(names, m.users().labels());
        assertFalse(m.hasUser(5));
        assertArrayEquals(new String[] {"3", "5", "7", "9", "11"}, m.items().labels());
        int[] userIds = {10, 20, 30, 40, 50};
        int[] itemIds = {3, 5, 7, 9, 11};

        for (Row r : fitted.transform(pairs("u", "i", userIds, itemIds)).collectAsList()) {
            int u = indexOf(userIds, r.getInt(0));
            int i = indexOf(itemIds, r.getInt(1));
            assertEquals(
                    Float.floatToRawIntBits(r.getFloat(2)),
                    Float.floatToRawIntBits(m.predict(u, i)),
                    "float-exact: Spark's sdot and Encore's predict both sum the k products in order; " + r);
        }
        Recommendations lists = m.recommendForAllUsers(3, null);
        Map<Integer, List<float[]>> sparkLists = sparkLists(fitted, 3, "u", "i");
        assertEquals(5, sparkLists.size());
        for (Map.Entry<Integer, List<float[]>> e : sparkLists.entrySet()) {
            int u = indexOf(userIds, e.getKey());
            for (int r = 0; r < 3; r++) {
                float[] rec = e.getValue().get(r);
                assertEquals((int) rec[0], itemIds[lists.id(u, r)], "user " + e.getKey() + " rank " + r);
                assertEquals(rec[1], lists.score(u, r), 1e-6f * Math.abs(rec[1]));
            }
        }
        // the last half-iteration solved every user from the final item factors: folding in a user's own ratings
        // with the imported parameters gives Spark's factor back
        for (int u = 0; u < 5; u++) {
            int user = userIds[u];
            int[][] own = Stream.of(RATINGS).filter(t -> t[0] == user).toArray(int[][]::new);
            int[] items = new int[own.length];
            float[] values = new float[own.length];
            for (int q = 0; q < items.length; q++) {
                items[q] = indexOf(itemIds, own[q][1]);
                values[q] = own[q][2];
            }
            FoldIn.User f = m.foldIn(items, values);
            assertArrayEquals(m.userFactor(u), f.factor(), 1e-5f, "user " + userIds[u]);
        }
    }

    private static int indexOf(int[] ids, int id) {
        for (int q = 0; q < ids.length; q++) {
            if (ids[q] == id) {
                return q;
            }
        }
        throw new AssertionError("no id " + id);
    }

    /** A saved ALSModel of rank 2 with these user factor rows ({@code id, features}) and one item. */
    private static Path savedModel(Path dir, Row... userRows) throws IOException {
        Dataset<Row> users = spark.createDataFrame(List.of(userRows), FactorFrames.SCHEMA);
        Dataset<Row> items =
                spark.createDataFrame(List.of(RowFactory.create(0, new float[] {1, 2})), FactorFrames.SCHEMA);
        new ALSModel("bad", 2, users, items).write().save(dir.toString());
        return dir;
    }

    /** A copy of the saved model {@code template} with these user factor rows (of any schema) in place of its own. */
    private static Path badModel(Path template, Path dir, StructType schema, Row... userRows) throws IOException {
        Files.createDirectories(dir);
        for (String part : new String[] {"metadata", "itemFactors"}) {
            try (Stream<Path> files = Files.walk(template.resolve(part))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(template.relativize(f).toString()));
                }
            }
        }
        spark.createDataFrame(List.of(userRows), schema)
                .write()
                .parquet(dir.resolve("userFactors").toString());
        return dir;
    }

    private static String importError(Path dir, SparkModelFiles.ImportOptions o) {
        InteropFormatException e =
                assertThrows(InteropFormatException.class, () -> SparkModelFiles.importModel(spark, dir.toString(), o));
        return e.getMessage();
    }

    @Test
    void badDirectoriesAndFilesAreRejectedNamingWhatIsWrong(@TempDir Path tmp) throws IOException {
        SparkModelFiles.ImportOptions o = SparkModelFiles.ImportOptions.explicit(0.1);
        assertThrows(
                FileNotFoundException.class,
                () -> SparkModelFiles.importModel(spark, tmp.resolve("nowhere").toString(), o));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(importError(empty, o).contains("is not a saved Spark ALSModel: it has no metadata/"));
        for (String part : new String[] {"metadata", "userFactors", "itemFactors"}) {
            Files.createDirectories(empty.resolve(part));
        }
        Files.writeString(empty.resolve("metadata/part-00000"), "{\"class\": \"x\", \"uid\": ");
        String garbage = importError(empty, o);
        assertTrue(garbage.contains("/metadata/part-00000: not Spark ML metadata (not JSON: "), garbage);
        Path indexer = tmp.resolve("indexer");
        new StringIndexer().setInputCol("a").write().save(indexer.toString());
        Files.createDirectories(indexer.resolve("userFactors"));
        Files.createDirectories(indexer.resolve("itemFactors"));
        String notAls = importError(indexer, o);
        assertTrue(
                notAls.contains("holds a saved org.apache.spark.ml.feature.StringIndexer, not an "
                        + "org.apache.spark.ml.recommendation.ALSModel"),
                notAls);

        StructType ok = FactorFrames.SCHEMA;
        Path good = savedModel(tmp.resolve("good"), RowFactory.create(4, new float[] {1, 2}));
        String nan = importError(
                badModel(good, tmp.resolve("nan"), ok, RowFactory.create(4, new float[] {1, Float.NaN})), o);
        assertTrue(nan.endsWith("/userFactors: id 4: feature 1 is NaN (factors must be finite)"), nan);
        String length =
                importError(badModel(good, tmp.resolve("len"), ok, RowFactory.create(4, new float[] {1, 2, 3})), o);
        assertTrue(length.endsWith("/userFactors: id 4 has 3 features; the model's rank is 2"), length);
        String twice = importError(
                badModel(
                        good,
                        tmp.resolve("dup"),
                        ok,
                        RowFactory.create(4, new float[] {1, 2}),
                        RowFactory.create(4, new float[] {3, 4})),
                o);
        assertTrue(twice.endsWith("/userFactors: id 4 appears twice"), twice);
        StructType doubles = new StructType()
                .add("id", DataTypes.IntegerType, false)
                .add("features", DataTypes.createArrayType(DataTypes.DoubleType, false), true);
        String schema =
                importError(badModel(good, tmp.resolve("dbl"), doubles, RowFactory.create(4, new double[] {1, 2})), o);
        assertTrue(
                schema.endsWith("/userFactors: column features is array<double>; Spark ALS's factors are id int,"
                        + " features array<float>"),
                schema);

        // label files: a duplicate id, an id with factors that has no label
        Path dup = Files.writeString(tmp.resolve("dup.csv"), "id,label\n4,a\n4,b\n");
        String dupId = importError(good, o.withLabels(dup.toString(), null));
        assertTrue(dupId.contains("dup.csv line 3: id 4 appears twice (also at "), dupId);
        Path lacking = Files.writeString(tmp.resolve("lacking.csv"), "id,label\n3,c\n5,e\n");
        String missing = importError(good, o.withLabels(lacking.toString(), null));
        assertTrue(missing.contains("/userFactors has id 4, which "), missing);
        assertTrue(missing.endsWith("lacking.csv does not list (every id with factors needs a label)"), missing);

        // an export whose encore.json was tampered with
        Path exported = tmp.resolve("exported");
        SparkModelFiles.export(spark, handMade(), null, exported.toString(), SparkModelFiles.ExportOptions.defaults());
        Path manifest = exported.resolve("encore.json");
        Files.writeString(
                manifest, Files.readString(manifest).replace("\"format_version\": 1", "\"format_version\": 9"));
        String version = importError(exported, SparkModelFiles.ImportOptions.none());
        assertTrue(
                version.endsWith("encore.json: format_version 9 (this build reads 1 to 1; a newer Encore wrote it)"),
                version);
        Files.delete(manifest);
        Files.writeString(exported.resolve("user_labels.csv"), "id,label\n0,a\n1,b\n3,c\n");
        IllegalArgumentException noParams = assertThrows(
                IllegalArgumentException.class,
                () -> SparkModelFiles.importModel(spark, exported.toString(), SparkModelFiles.ImportOptions.none()));
        assertTrue(noParams.getMessage().contains("has no encore.json"), noParams.getMessage());
        // without encore.json the directory's own label files still name the ids (user 2's record is gone: cold
        // users need a record to exist)
        AlsModel m = SparkModelFiles.importModel(spark, exported.toString(), o).model();
        assertArrayEquals(new String[] {"a", "b", "c"}, m.users().labels());
        assertEquals(handMade().predict(3, 4), m.predict(2, 4));
    }
}
