package encore.bench.spark;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.bench.vs.EncoreSide;
import encore.bench.vs.Opts;
import encore.bench.vs.Prep;
import encore.bench.vs.Results;
import encore.bench.vs.Scenario;
import encore.data.LabelIndex;
import encore.data.TriplesReader;
import encore.eval.RankingMetrics;
import encore.matrix.Factors;
import encore.util.TextFields;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Spark MLlib's side of each scenario, in its own JVM ({@code local[N]}, UI off, WARN logging): the same warm-up and
 * timed runs as {@link EncoreSide}, on the same split files, written as {@code spark.tsv}. Every stage ends in an
 * action (a count of a persisted result, or a write to Spark's {@code noop} sink for recommend-all), so lazy
 * evaluation never moves work into a later stage. Ranking metrics of Spark's model are computed from its factors by
 * the same code that evaluates Encore's (top-10 without training items, Spark's {@code RankingMetrics} definitions).
 */
public final class SparkSide implements Scenario.Engine {
    private static final StorageLevel CACHE = StorageLevel.MEMORY_AND_DISK();
    private final Opts o;
    private final String scenario;
    private final SparkSession spark;
    private long trainPairs = -1;
    private long testPairs = -1;

    private SparkSide(String scenario, Opts o, SparkSession spark) {
        this.o = o;
        this.scenario = scenario;
        this.spark = spark;
    }

    /** {@code SparkSide SCENARIO [options]}: runs Spark's side and writes {@code OUT/spark.tsv}. */
    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        Opts o = new Opts(Arrays.copyOfRange(args, 1, args.length));
        int cores = Scenario.cores(o);
        SparkSession.Builder b = SparkSession.builder()
                .master("local[" + cores + "]")
                .appName("encore-bench")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1");
        // --spark-conf key=value,key=value: Spark settings on top of its defaults (none by default: the usual recipe)
        for (String kv : o.list("spark-conf", "")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--spark-conf takes key=value pairs, not " + kv);
            }
            b.config(kv.substring(0, eq), kv.substring(eq + 1));
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        int rc;
        try {
            rc = new SparkSide(scenario, o, spark).run(cores);
        } finally {
            spark.stop();
        }
        System.exit(rc);
    }

    private int run(int cores) throws Exception {
        Path out = Scenario.out(o, scenario);
        Results res = new Results("spark", scenario);
        res.info("spark_version", spark.version())
                .info("master", "local[" + cores + "]")
                .info("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20)
                .info("started", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        if (o.has("spark-conf")) {
            res.info("spark_conf", o.get("spark-conf", ""));
        }
        Scenario.runAll(o, "spark", scenario, out, res, this);
        res.write(out.resolve("spark.tsv"));
        return 0;
    }

    @Override
    public void afterRun(Results target) {
        spark.catalog().clearCache();
        if (target != null) { // the data check: the report compares these with Encore's counts
            target.info("train_pairs", trainPairs).info("test_pairs", testPairs);
        }
        trainPairs = -1;
        testPairs = -1;
    }

    @Override
    public void seed(Path data, Prep.SplitFiles split, Map<String, Double> run, Results res) {
        long t0 = System.nanoTime();
        Dataset<Row> clean = spark.read()
                .option("header", "true")
                .csv(data.toString())
                .drop("date")
                .na()
                .drop()
                .persist(CACHE);
        long rows = clean.count();
        run.put("read_clean", secs(t0));
        t0 = System.nanoTime();
        Dataset<Row> counts = clean.groupBy("user_id", "track").count().persist(CACHE);
        long pairs = counts.count();
        clean.unpersist();
        run.put("aggregate", secs(t0));
        t0 = System.nanoTime();
        StringIndexerModel sim = new StringIndexer()
                .setInputCols(new String[] {"user_id", "track"})
                .setOutputCols(new String[] {"user", "item"})
                .fit(counts);
        Dataset<Row> indexed = sim.transform(counts).persist(CACHE);
        indexed.count();
        run.put("index", secs(t0));
        counts.unpersist();
        if (res != null) {
            res.info("rows_kept", rows)
                    .info("pairs", pairs)
                    .info("users", sim.labelsArray()[0].length)
                    .info("items", sim.labelsArray()[1].length);
        }
        Dataset<Row> train;
        Dataset<Row> test;
        if (split == null) { // warm-up on a sample: Spark's own random split
            Dataset<Row>[] parts = indexed.select(
                            col("user").cast("int").as("user"),
                            col("item").cast("int").as("item"),
                            col("count").cast("float").as("rating"))
                    .randomSplit(new double[] {0.5, 0.5}, 42);
            train = parts[0].persist(CACHE);
            test = parts[1].persist(CACHE);
            train.count();
        } else {
            t0 = System.nanoTime();
            Loaded l = load(split, true);
            run.put("load_split", secs(t0));
            train = l.train;
            test = l.test;
        }
        indexed.unpersist();
        Scenario.Als als = Scenario.seed(o);
        ALSModel model = fit(train, als, run, "fit");
        predict(model, test, run, "predict_rmse", res, "");
        t0 = System.nanoTime();
        model.recommendForAllUsers(Scenario.TOP)
                .write()
                .format("noop")
                .mode(SaveMode.Overwrite)
                .save();
        run.put("recommend_all", secs(t0));
    }

    @Override
    public void explicit(Prep.SplitFiles split, Map<String, Double> run, Results res) {
        long t0 = System.nanoTime();
        Loaded l = load(split, true);
        run.put("load", secs(t0));
        for (Scenario.Als als : Scenario.explicit(o)) {
            ALSModel model = fit(l.train, als, run, "fit_" + als.name());
            predict(model, l.test, run, "predict_rmse_" + als.name(), res, "_" + als.name());
        }
    }

    @Override
    public void implicit(Prep.SplitFiles split, Map<String, Double> run, Results res) throws Exception {
        long t0 = System.nanoTime();
        Loaded l = load(split, true);
        run.put("load", secs(t0));
        Scenario.Als als = Scenario.implicit(o);
        ALSModel model = fit(l.train, als, run, "fit");
        t0 = System.nanoTime();
        model.recommendForAllUsers(Scenario.TOP)
                .write()
                .format("noop")
                .mode(SaveMode.Overwrite)
                .save();
        run.put("recommend_all", secs(t0));
        if (res != null) {
            // Spark's factors, placed at the indices the shared evaluation code uses (untimed)
            TriplesReader.TriplesSplit s = TriplesReader.read(split.train(), split.test());
            LabelIndex users = s.train().users();
            LabelIndex items = s.train().items();
            int k = als.rank();
            float[] uf = new float[users.size() * k];
            float[] itf = new float[items.size() * k];
            BitSet uh = new BitSet();
            BitSet ih = new BitSet();
            place(model.userFactors(), l.userLabels, users, uf, uh, k);
            place(model.itemFactors(), l.itemLabels, items, itf, ih, k);
            AlsModel m = new AlsModel(
                    AlsParams.builder().rank(k).build(),
                    users,
                    items,
                    Factors.wrap(uf, users.size(), k, uh),
                    Factors.wrap(itf, items.size(), k, ih));
            EncoreSide.metrics(
                    res,
                    "",
                    RankingMetrics.evaluate(
                            Scenario.TOP,
                            m.recommendForAllUsers(Scenario.TOP, s.train().userItems())
                                    .idLists(),
                            s.test()));
        }
    }

    @Override
    public void scaling(Prep.SplitFiles split, Map<String, Double> run, Results res) {
        long t0 = System.nanoTime();
        Loaded l = load(split, false);
        run.put("load", secs(t0));
        for (Scenario.Als als : Scenario.scaling(o)) {
            Map<String, Double> tmp = new LinkedHashMap<>();
            fit(l.train, als, tmp, "fit").userFactors();
            run.put(als.name(), tmp.get("fit") / als.iters());
            System.out.printf(Locale.ROOT, "  spark %s: %.3f s/iteration%n", als.name(), tmp.get("fit") / als.iters());
        }
    }

    private static void place(
            Dataset<Row> factors, String[] sparkLabels, LabelIndex index, float[] out, BitSet has, int k) {
        for (Row r : factors.collectAsList()) {
            int e = index.indexOf(TextFields.unTsv(sparkLabels[r.getInt(0)]));
            if (e >= index.size()) {
                throw new IllegalStateException("label " + sparkLabels[r.getInt(0)] + " unknown to the evaluation");
            }
            List<Object> f = r.getList(1);
            for (int d = 0; d < k; d++) {
                out[e * k + d] = ((Number) f.get(d)).floatValue();
            }
            has.set(e);
        }
    }

    private ALSModel fit(Dataset<Row> train, Scenario.Als als, Map<String, Double> run, String stage) {
        ALS a = new ALS()
                .setRank(als.rank())
                .setMaxIter(als.iters())
                .setRegParam(als.reg())
                .setImplicitPrefs(als.implicit())
                .setAlpha(als.alpha())
                .setSeed(Scenario.alsSeed(o))
                .setNumBlocks(Scenario.numBlocks(o))
                .setUserCol("user")
                .setItemCol("item")
                .setRatingCol("rating")
                .setColdStartStrategy("drop");
        long t0 = System.nanoTime();
        ALSModel model = a.fit(train); // eager: Spark materializes both factor sets before returning
        run.put(stage, secs(t0));
        return model;
    }

    private void predict(
            ALSModel model, Dataset<Row> test, Map<String, Double> run, String stage, Results res, String suffix) {
        long t0 = System.nanoTime();
        Dataset<Row> pred = model.transform(test).persist(CACHE);
        RegressionEvaluator ev = new RegressionEvaluator().setLabelCol("rating").setPredictionCol("prediction");
        double rmse = ev.setMetricName("rmse").evaluate(pred);
        double mae = ev.setMetricName("mae").evaluate(pred);
        long scored = pred.count();
        run.put(stage, secs(t0));
        pred.unpersist();
        if (res != null) {
            res.metric("rmse" + suffix, rmse)
                    .metric("mae" + suffix, mae)
                    .metric("cold_test_pairs" + suffix, test.count() - scored);
        }
    }

    /** The split, indexed by one StringIndexer fitted on both files (as Encore's reader indexes them together). */
    private record Loaded(Dataset<Row> train, Dataset<Row> test, String[] userLabels, String[] itemLabels) {}

    private Loaded load(Prep.SplitFiles split, boolean withTest) {
        StructType schema = new StructType()
                .add("u", DataTypes.StringType)
                .add("i", DataTypes.StringType)
                .add("v", DataTypes.DoubleType);
        Dataset<Row> tr = read(split.train(), schema);
        Dataset<Row> te = withTest ? read(split.test(), schema) : null;
        Dataset<Row> both = withTest ? tr.select("u", "i").union(te.select("u", "i")) : tr.select("u", "i");
        StringIndexerModel sim = new StringIndexer()
                .setInputCols(new String[] {"u", "i"})
                .setOutputCols(new String[] {"user", "item"})
                .fit(both);
        Dataset<Row> train = ints(sim.transform(tr)).persist(CACHE);
        trainPairs = train.count();
        Dataset<Row> test = null;
        if (withTest) {
            test = ints(sim.transform(te)).persist(CACHE);
            testPairs = test.count();
        }
        return new Loaded(train, test, sim.labelsArray()[0], sim.labelsArray()[1]);
    }

    private Dataset<Row> read(Path file, StructType schema) {
        // tab-separated, no quoting (labels are escaped as encore prepare writes them); extra columns are ignored
        return spark.read()
                .schema(schema)
                .option("sep", "\t")
                .option("quote", "")
                .option("header", "false")
                .csv(file.toString());
    }

    private static Dataset<Row> ints(Dataset<Row> d) {
        return d.select(
                col("user").cast("int").as("user"),
                col("item").cast("int").as("item"),
                col("v").cast("float").as("rating"));
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
