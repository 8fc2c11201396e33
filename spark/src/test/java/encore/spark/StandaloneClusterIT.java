package encore.spark;

import encore.als.Als;
import encore.als.AlsModel;
import encore.matrix.Csr;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * EncoreALS on a real Spark standalone cluster on this machine: a Master and two Workers (1 core each) as separate
 * JVMs on 127.0.0.1, started and stopped by {@code spark/cluster}, each Worker launching its own executor JVM (1 GB
 * heap); this JVM is the driver. Encore reaches the executors in {@code target/encore-spark-all.jar}
 * ({@code spark.jars}), as with spark-submit.
 *
 * <p>The fits: the seed recipe on a generated 1 M-row listenings file (the same factors as single-machine Encore, the
 * same RMSE as MLlib's ALS on the same cluster); the same fit with one executor killed mid-fit (Spark re-runs the
 * lost tasks; identical factors); and a matrix whose ratings and factors exceed the executors' heaps.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    private static final Path MODULE =
            Path.of(System.getProperty("encore.spark.module", ".")).toAbsolutePath();
    private static final Path CLUSTER = MODULE.resolve("target/it-cluster");
    private static final Path DATA = MODULE.resolve("target/it-data");

    private static SparkSession spark;
    private static String masterUrl;
    private static SeedRecipe.Result recipeResult;
    private static SeedRecipe.Options recipe;
    private static SeedRecipe.Prepared prepared;
    private static ALSModel recipeModel;

    @BeforeAll
    static void startCluster() throws Exception {
        Path jar = MODULE.resolve("target/encore-spark-all.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is built by the package phase (mvn -P spark -pl spark verify)");
        String url = masterUrl =
                cluster("start", "--workers", "2", "--cores", "1", "--memory", "1536m", "--dir", CLUSTER.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterIT::stopQuietly));
        spark = SparkSession.builder()
                .master(url)
                .appName("StandaloneClusterIT")
                .config("spark.jars", jar.toString())
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", "1g")
                .config("spark.executor.cores", "1")
                .config("spark.cores.max", "2")
                // ParallelGC: G1 with 1 MB regions on a 1 GB heap fails large arrays (humongous) when fragmented;
                // memory fraction 0.3: ~470 MB of the heap for the tasks' own arrays, Spark's cache spills to disk
                .config("spark.executor.extraJavaOptions", SparkRun.executorJavaOptions() + " -XX:+UseParallelGC")
                .config("spark.memory.fraction", "0.3")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", "4")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        awaitExecutors(2);
        Files.createDirectories(DATA);
        Path csv = DATA.resolve("listenings-1m.csv");
        if (!Files.exists(csv)) {
            new ListeningsGenerator(GeneratorConfig.forRows(1_000_000, 17)).write(csv);
        }
        recipe = SeedRecipe.Options.parse(new String[] {
            "--data", csv.toString(), "--out", DATA.resolve("recipe-out").toString(), "--engine", "cpu", "--blocks", "4"
        });
    }

    private long started;

    @org.junit.jupiter.api.BeforeEach
    void announce(org.junit.jupiter.api.TestInfo t) {
        started = System.nanoTime();
        System.out.println("StandaloneClusterIT: " + t.getDisplayName() + " ...");
    }

    @org.junit.jupiter.api.AfterEach
    void took(org.junit.jupiter.api.TestInfo t) {
        System.out.printf(
                java.util.Locale.ROOT,
                "StandaloneClusterIT: %s took %.1f s%n",
                t.getDisplayName(),
                (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (prepared != null) {
            prepared.unpersist();
        }
        if (spark != null) {
            spark.stop();
        }
        cluster("stop", "--dir", CLUSTER.toString());
    }

    /**
     * The seed recipe on the cluster: outputs written, factors bit for bit those of single-machine Encore on the same
     * training split (explicit feedback, the same init), and test RMSE equal to MLlib's ALS fitted on the same split
     * on the same cluster, to 1e-4.
     */
    @Test
    @Order(1)
    void theSeedRecipeEqualsSingleMachineEncoreAndMllib() throws Exception {
        SeedRecipe.Result r = SeedRecipe.run(spark, recipe);
        recipeResult = r;
        prepared = r.prepared();
        recipeModel = r.model();
        assertTrue(r.plays() > 900_000, r.plays() + " plays");
        assertEquals(
                r.users() * 10,
                spark.read()
                        .parquet(DATA.resolve("recipe-out/recommendations.parquet")
                                .toString())
                        .count());
        // single machine, on the very training rows the cluster fitted
        List<Row> rows = prepared.train().select("user", "item", "count").collectAsList();
        int[] u = new int[rows.size()];
        int[] i = new int[rows.size()];
        float[] v = new float[rows.size()];
        int users = 0;
        int items = 0;
        for (int q = 0; q < u.length; q++) {
            Row row = rows.get(q);
            u[q] = (int) row.getDouble(0);
            i[q] = (int) row.getDouble(1);
            v[q] = row.getLong(2);
            users = Math.max(users, u[q] + 1);
            items = Math.max(items, i[q] + 1);
        }
        EncoreALS est = SeedRecipe.estimator(recipe);
        AlsModel single = Als.with(est.alsParams())
                .backend("cpu")
                .threads(2)
                .fit(Csr.fromCoordinates(users, items, u, i, v))
                .model();
        EncoreALSTest.assertFactorsEqual(single.userFactors(), recipeModel.userFactors(), 0);
        EncoreALSTest.assertFactorsEqual(single.itemFactors(), recipeModel.itemFactors(), 0);
        // MLlib's ALS on the same split, same params and seed (EncoreALS starts from MLlib's init by default)
        ALS mllib = SeedRecipe.configure(new ALS(), recipe);
        double theirs = new RegressionEvaluator()
                .setMetricName("rmse")
                .setLabelCol("count")
                .setPredictionCol("prediction")
                .evaluate(mllib.fit(prepared.train()).transform(prepared.test()));
        System.out.printf(
                java.util.Locale.ROOT,
                "StandaloneClusterIT: %,d plays, %,d train pairs; test RMSE MLlib %.9f, EncoreALS %.9f%n",
                r.plays(),
                r.trainPairs(),
                theirs,
                r.rmse());
        assertEquals(theirs, r.rmse(), 1e-4, "test RMSE: MLlib " + theirs + ", EncoreALS " + r.rmse());
    }

    /**
     * One executor JVM killed (SIGKILL) while the fit runs: Spark re-runs the lost tasks (on the other executor, and
     * on the one its worker launches instead), and the factors are those of the undisturbed fit, bit for bit.
     */
    @Test
    @Order(2)
    void aKilledExecutorChangesNothing() throws Exception {
        if (prepared == null) {
            theSeedRecipeEqualsSingleMachineEncoreAndMllib();
        }
        AtomicInteger jobs = new AtomicInteger();
        AtomicLong killed = new AtomicLong(-1);
        AtomicInteger removed = new AtomicInteger();
        String app = spark.sparkContext().applicationId();
        SparkListener killer = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                // a few half-iterations in (each half-iteration is one job)
                if (jobs.incrementAndGet() == 6) {
                    executorPids(app).stream().findFirst().ifPresent(pid -> {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        killed.set(pid);
                    });
                }
            }

            @Override
            public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
                removed.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(killer);
        ALSModel again;
        try {
            again = SeedRecipe.estimator(recipe).fit(prepared.train());
        } finally {
            spark.sparkContext().removeSparkListener(killer);
        }
        assertTrue(killed.get() > 0, "an executor JVM was found and killed (" + jobs.get() + " jobs)");
        assertTrue(removed.get() >= 1, "Spark saw the executor go");
        assertSameFactors(recipeModel.userFactors(), again.userFactors());
        assertSameFactors(recipeModel.itemFactors(), again.itemFactors());
        awaitExecutors(2); // the worker's replacement, for the next test
    }

    /**
     * Ratings and factors larger than the executors' heaps (2 × 1 GB): 12 M ratings drawn over 6 M users × 2 M items
     * (5.2 M and 2.0 M of them rated) at rank 48 is 1.4 GB of factors alone, plus the ratings in both sides' blocks; generated in the executors (the driver never holds
     * them), trained for two iterations with the factors shipped by the block join and the blocks spilling to disk.
     * The fit's summary states the sizes; the model predicts the planted ratings better than their mean.
     */
    @Test
    @Order(3)
    void dataLargerThanTheExecutorsHeapsTrains() {
        long n = 12_000_000L;
        Dataset<Row> ratings = spark.range(0, n, 1, 32)
                .select(
                        expr("cast(pmod(xxhash64(id, 1), 6000000) as int)").as("user"),
                        expr("cast(pmod(xxhash64(id, 2), 2000000) as int)").as("item"))
                .select(
                        col("user"),
                        col("item"),
                        expr("cast(1 + pmod(user, 5) + pmod(item, 3) as float)").as("rating"));
        EncoreALS est = new EncoreALS().setEngine("cpu");
        est.setRank(48)
                .setMaxIter(2)
                .setRegParam(0.1)
                .setNumBlocks(96)
                .setIntermediateStorageLevel("MEMORY_AND_DISK_SER")
                .setFinalStorageLevel("MEMORY_AND_DISK_SER");
        EncoreALS.Fitted fitted = est.fitWithSummary(ratings);
        FitSummary s = fitted.summary();
        System.out.println(s.describe());
        long heap = 1L << 30;
        assertTrue(s.factorBytes() > heap, "factors alone exceed an executor's 1 GB heap: " + s.factorBytes());
        assertTrue(
                s.factorBytes() + s.ratingsBytes() > heap + (1L << 28),
                "ratings " + s.ratingsBytes() + " + factors " + s.factorBytes() + " bytes");
        assertEquals(n, s.ratings(), "every rating reached a block (ALS keeps repeated pairs, as MLlib does)");
        assertTrue(s.users() > 5_000_000 && s.items() > 1_990_000, s.users() + " users, " + s.items() + " items");
        assertTrue(s.halves().stream().allMatch(h -> h.shipping().equals("join")), s.describe());
        Dataset<Row> sample = ratings.sample(0.001, 3);
        Row fit = fitted.model()
                .transform(sample)
                .selectExpr(
                        "sqrt(avg((rating - prediction) * (rating - prediction)))",
                        "stddev_pop(rating)",
                        "count(prediction)")
                .first();
        assertTrue(
                fit.getDouble(0) < fit.getDouble(1),
                "training RMSE " + fit.getDouble(0) + " below the ratings' spread " + fit.getDouble(1));
    }

    /**
     * {@code ./encore run --spark MASTER_URL}, the launcher's way to the recipe, run as its own Spark application (a
     * separate driver JVM) on the same cluster with the same flags and partitioning: the same test RMSE as test 1's fit (the same
     * data, split, seed and init: the same factors) and a top-10 list for each of the same users, in CSV with the
     * original ids. This session stops first so that the new application gets the cluster's cores.
     */
    @Test
    @Order(4)
    void encoreRunSparkRunsTheRecipeOnTheCluster() throws Exception {
        if (recipeResult == null) {
            theSeedRecipeEqualsSingleMachineEncoreAndMllib();
        }
        prepared.unpersist();
        prepared = null;
        spark.stop();
        spark = null;
        Path out = DATA.resolve("run-spark-out");
        ProcessBuilder pb = new ProcessBuilder(
                        MODULE.getParent().resolve("encore").toString(),
                        "run",
                        "--spark",
                        masterUrl,
                        "--data",
                        recipe.data(),
                        "--out",
                        out.toString(),
                        "--backend",
                        "cpu",
                        "--num-blocks",
                        "4",
                        "--conf",
                        "spark.executor.memory=1g",
                        // randomSplit's rows depend on the partitioning before it: this session's (4 partitions)
                        "--conf",
                        "spark.sql.shuffle.partitions=4",
                        "--conf",
                        "spark.default.parallelism=4",
                        "--conf=spark.ui.enabled=false")
                .redirectErrorStream(true);
        pb.environment().put("ENCORE_HEAP", "2g");
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "encore run --spark failed:\n" + log);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("test RMSE ([0-9.]+); top-10 for ([0-9,]+) users")
                .matcher(log);
        assertTrue(m.find(), "the summary line:\n" + log);
        assertEquals(recipeResult.rmse(), Double.parseDouble(m.group(1)), 1e-6, log);
        assertEquals(recipeResult.users(), Long.parseLong(m.group(2).replace(",", "")), log);
        long lines = 0;
        try (var parts = Files.list(out.resolve("recommendations.csv"))) {
            for (Path part : parts.filter(f -> f.getFileName().toString().startsWith("part-"))
                    .toList()) {
                lines += Files.readAllLines(part).stream()
                        .filter(l -> !l.equals("user_id,rank,track,score"))
                        .count();
            }
        }
        assertEquals(recipeResult.users() * 10, lines, "ten rows for each user in recommendations.csv");
    }

    // ---- the cluster

    /** Runs spark/cluster with {@code args}; returns its last output line. */
    private static String cluster(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(MODULE.resolve("cluster").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        assertEquals(0, rc, "spark/cluster " + String.join(" ", args) + " failed:\n" + out);
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private static void stopQuietly() {
        try {
            cluster("stop", "--dir", CLUSTER.toString());
        } catch (Exception | AssertionError e) {
            // the JVM is going down: nothing more to do
        }
    }

    /** The pids of this application's executor JVMs (the workers' children). */
    private static List<Long> executorPids(String app) {
        return ProcessHandle.allProcesses()
                .filter(h -> {
                    Optional<String> line = h.info().commandLine();
                    return line.isPresent()
                            && line.get().contains("CoarseGrainedExecutorBackend")
                            && line.get().contains(app);
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    /** Waits (up to 60 s) until {@code n} executors have registered with the driver. */
    private static void awaitExecutors(int n) throws InterruptedException {
        for (int t = 0; t < 600; t++) {
            // the driver counts itself among the executors' infos
            if (spark.sparkContext().statusTracker().getExecutorInfos().length >= n + 1) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("fewer than " + n + " executors after 60 s; logs in " + CLUSTER);
    }

    private static void assertSameFactors(Dataset<Row> want, Dataset<Row> got) {
        Map<Integer, float[]> a = EncoreALSTest.factorMap(want);
        Map<Integer, float[]> b = EncoreALSTest.factorMap(got);
        assertEquals(a.keySet(), b.keySet());
        for (Map.Entry<Integer, float[]> e : a.entrySet()) {
            assertArrayEquals(e.getValue(), b.get(e.getKey()), "id " + e.getKey());
        }
    }
}
