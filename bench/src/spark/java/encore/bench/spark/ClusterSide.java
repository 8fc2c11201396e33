package encore.bench.spark;

import encore.bench.vs.Opts;
import encore.bench.vs.Results;
import encore.bench.vs.Scenario;
import encore.spark.EncoreALS;
import encore.spark.FitSummary;
import encore.spark.SeedRecipe;
import encore.spark.SparkRun;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code bench/run vs cluster}: Spark MLlib's ALS and EncoreALS on the same standalone cluster (started by
 * {@code spark/cluster}; this JVM is the driver), the seed recipe's steps 1–4 once on Spark DataFrames, then each
 * estimator fitted on the same training split with the same params and seed, timed on the driver; RMSE on the test
 * split; the shuffle bytes the fit wrote (from the task metrics) and, for EncoreALS, its broadcasts. Writes
 * OUT/spark.tsv and OUT/encore.tsv for {@code vs-report}.
 *
 * <p>Options: {@code --master URL --jar encore-spark-all.jar [--data listenings.csv | --rows N --seed S] [--rank 10]
 * [--iters 5] [--reg 0.01] [--implicit [--alpha 1]] [--blocks 4] [--repeat 1] [--workers W (recorded)]
 * [--executor-memory 2g] [--spark-conf key=value,...] [--stages (each stage of the fits on stderr)] [--out DIR]}.
 */
public final class ClusterSide {
    private ClusterSide() {}

    public static void main(String[] args) throws Exception {
        Opts o = new Opts(args);
        Path out = Scenario.out(o, "cluster");
        Files.createDirectories(out);
        Path data = o.has("data")
                ? Path.of(o.need("data"))
                : out.resolve("listenings-" + o.longValue("rows", 1_000_000) + ".csv");
        if (!Files.exists(data)) {
            System.err.println("cluster: generating " + data);
            new ListeningsGenerator(GeneratorConfig.forRows(o.longValue("rows", 1_000_000), o.longValue("seed", 1)))
                    .write(data);
        }
        SparkSession.Builder builder = SparkSession.builder();
        for (String kv : o.get("spark-conf", "").split(",")) {
            if (!kv.isBlank()) {
                int eq = kv.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("--spark-conf takes key=value,...; got " + kv);
                }
                builder.config(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
            }
        }
        SparkSession spark = builder.master(o.need("master"))
                .appName("bench vs cluster")
                .config("spark.jars", o.need("jar"))
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", o.get("executor-memory", "2g"))
                .config("spark.executor.cores", "1")
                .config("spark.executor.extraJavaOptions", SparkRun.executorJavaOptions())
                .config("spark.sql.shuffle.partitions", String.valueOf(o.integer("blocks", 4)))
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            run(spark, o, data, out);
        } finally {
            spark.stop();
        }
    }

    private static void run(SparkSession spark, Opts o, Path data, Path out) throws Exception {
        int blocks = o.integer("blocks", 4);
        SeedRecipe.Options recipe = SeedRecipe.Options.parse(new String[] {
            "--data", data.toString(),
            "--out", out.resolve("recipe-out").toString(),
            "--rank", o.get("rank", "10"),
            "--iters", o.get("iters", "5"),
            "--reg", o.get("reg", "0.01"),
            "--blocks", String.valueOf(blocks),
            "--engine", "cpu"
        });
        boolean implicit = o.has("implicit");
        double alpha = o.real("alpha", 1.0);
        long t0 = System.nanoTime();
        SeedRecipe.Prepared p = SeedRecipe.prepare(spark, recipe);
        double prepare = (System.nanoTime() - t0) / 1e9;
        int executors = spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
        long trainPairs = p.train().count();
        long testPairs = p.test().count();
        String[] engines = o.get("engines", "spark,encore").split(",");
        ALSModel[] models = new ALSModel[2];
        for (String engine : engines) {
            Results res = new Results(engine, "cluster");
            res.info("spark_version", spark.version())
                    .info("master", o.need("master"))
                    .info("workers", o.get("workers", "?"))
                    .info("executors", executors)
                    .info("executor_memory", o.get("executor-memory", "2g"))
                    .info("data", data.getFileName())
                    .info("plays", p.plays())
                    .info("train_pairs", trainPairs)
                    .info("test_pairs", testPairs)
                    .info("mode", implicit ? "implicit" : "explicit")
                    .info("rank", recipe.rank())
                    .info("iterations", recipe.iters())
                    .info("blocks", blocks)
                    .info("started", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            for (int rep = 0; rep < Scenario.repeat(o, engine); rep++) {
                Map<String, Double> run = res.newRun();
                run.put("prepare (shared)", prepare);
                StageLog stages = new StageLog();
                spark.sparkContext().addSparkListener(stages);
                long f0 = System.nanoTime();
                ALSModel model;
                FitSummary summary = null;
                if (engine.equals("spark")) {
                    model = SeedRecipe.configure(new ALS(), recipe)
                            .setImplicitPrefs(implicit)
                            .setAlpha(alpha)
                            .fit(p.train());
                } else {
                    EncoreALS est = SeedRecipe.estimator(recipe);
                    est.setImplicitPrefs(implicit).setAlpha(alpha);
                    EncoreALS.Fitted fitted = est.fitWithSummary(p.train());
                    model = fitted.model();
                    summary = fitted.summary();
                }
                double fit = (System.nanoTime() - f0) / 1e9;
                spark.sparkContext().listenerBus().waitUntilEmpty();
                spark.sparkContext().removeSparkListener(stages);
                if (o.has("stages")) {
                    System.err.println(engine + " fit, stage by stage:\n" + stages.describe());
                }
                run.put("fit", fit);
                run.put("fit / iteration", fit / recipe.iters());
                res.metric("shuffle_mb_per_iteration", stages.shuffleWritten() / 1e6 / recipe.iters());
                if (summary != null) {
                    long broadcast = 0;
                    for (FitSummary.Half h : summary.halves()) {
                        if (h.shipping().equals("broadcast")) {
                            broadcast += h.shippedBytes();
                        }
                    }
                    res.metric("broadcast_mb_per_iteration", broadcast / 1e6 / recipe.iters());
                    res.info("engines", summary.engines());
                    System.err.println(summary.describe());
                }
                long e0 = System.nanoTime();
                double rmse = new RegressionEvaluator()
                        .setMetricName("rmse")
                        .setLabelCol("count")
                        .setPredictionCol("prediction")
                        .evaluate(model.transform(p.test()));
                run.put("predict + RMSE", (System.nanoTime() - e0) / 1e9);
                res.metric("rmse", rmse);
                models[engine.equals("spark") ? 0 : 1] = model;
            }
            res.write(out.resolve(engine + ".tsv"));
        }
        if (models[0] != null && models[1] != null) {
            Row d = models[0]
                    .transform(p.test())
                    .withColumnRenamed("prediction", "theirs")
                    .join(
                            models[1].transform(p.test()).withColumnRenamed("prediction", "ours"),
                            new String[] {"user", "item"})
                    .selectExpr("cast(max(abs(theirs - ours)) as double)", "cast(avg(abs(theirs)) as double)")
                    .first();
            System.err.printf(
                    "largest |prediction difference| on the test pairs: %.3g (mean |prediction| %.3g)%n",
                    d.getDouble(0), d.getDouble(1));
        }
        p.unpersist();
    }
}
