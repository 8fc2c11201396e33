package encore.bench.vs;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.FitResult;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.data.TriplesReader;
import encore.eval.PopularityBaseline;
import encore.eval.RankingMetrics;
import encore.matrix.Csr;
import encore.pipeline.RunPipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Encore's side of each scenario, in its own JVM: warm-up runs (untimed), then timed runs, written as
 * {@code encore.tsv} for the report. The split files were written beforehand by {@link Prep} and are read here
 * exactly as the Spark side reads them.
 */
public final class EncoreSide implements Scenario.Engine {
    private final Opts o;
    private final String scenario;
    private final int cores;
    private final String backend;

    private EncoreSide(String scenario, Opts o) {
        this.o = o;
        this.scenario = scenario;
        this.cores = Scenario.cores(o);
        this.backend = o.get("backend", "cpu");
    }

    /** Runs Encore's side of {@code scenario} and writes {@code OUT/encore.tsv}. */
    public static int run(String scenario, String[] args) throws Exception {
        Opts o = new Opts(args);
        return new EncoreSide(scenario, o).run();
    }

    private int run() throws Exception {
        Path out = Scenario.out(o, scenario);
        Results res = new Results("encore", scenario);
        String engine;
        try (Backends.Choice c = Backends.choose(backend)) {
            engine = c.name();
        }
        res.info("threads", cores)
                .info("backend", engine)
                .info("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20)
                .info("started", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        Scenario.runAll(o, "encore", scenario, out, res, this);
        res.write(out.resolve("encore.tsv"));
        return 0;
    }

    @Override
    public void seed(Path data, Prep.SplitFiles split, Map<String, Double> run, Results res) throws IOException {
        Scenario.Als als = Scenario.seed(o);
        Interactions train;
        Csr test;
        Prepared p = Prepare.run(
                data,
                new PrepareOptions(
                        IngestOptions.defaults().withThreads(cores),
                        -1,
                        split == null ? SplitSpec.random(0.5, Scenario.SPLIT_SEED) : SplitSpec.none()));
        run.put("read_clean", p.timings().get("read_clean"));
        run.put("aggregate", p.timings().get("aggregate"));
        run.put("index", p.timings().get("index"));
        if (res != null) {
            res.info("rows_read", p.ingest().rowsRead())
                    .info("rows_kept", p.ingest().rowsKept())
                    .info("pairs", p.plays().pairs())
                    .info("users", p.plays().users().size())
                    .info("items", p.plays().items().size());
        }
        if (split == null) { // warm-up on a sample: the split in memory
            train = p.train();
            test = p.split().test().toUserItems();
            p = null;
        } else {
            p = null;
            long t0 = System.nanoTime();
            TriplesReader.TriplesSplit s = TriplesReader.read(split.train(), split.test());
            run.put("load_split", secs(t0));
            train = s.train();
            test = s.test();
        }
        AlsModel model = fit(train, als, run, "fit");
        long t0 = System.nanoTime();
        RunPipeline.PairScores ps = RunPipeline.scorePairs(model, test);
        run.put("predict_rmse", secs(t0));
        t0 = System.nanoTime();
        model.recommendForAllUsers(Scenario.TOP, null);
        run.put("recommend_all", secs(t0));
        if (res != null) {
            res.info("train_pairs", train.nnz()).info("test_pairs", test.nnz());
            res.metric("rmse", ps.metrics().rmse())
                    .metric("mae", ps.metrics().mae())
                    .metric("cold_test_pairs", ps.coldPairs());
        }
    }

    @Override
    public void explicit(Prep.SplitFiles split, Map<String, Double> run, Results res) throws IOException {
        long t0 = System.nanoTime();
        TriplesReader.TriplesSplit s = TriplesReader.read(split.train(), split.test());
        run.put("load", secs(t0));
        info(res, s);
        for (Scenario.Als als : Scenario.explicit(o)) {
            AlsModel model = fit(s.train(), als, run, "fit_" + als.name());
            t0 = System.nanoTime();
            RunPipeline.PairScores ps = RunPipeline.scorePairs(model, s.test());
            run.put("predict_rmse_" + als.name(), secs(t0));
            if (res != null) {
                res.metric("rmse_" + als.name(), ps.metrics().rmse())
                        .metric("mae_" + als.name(), ps.metrics().mae())
                        .metric("cold_test_pairs_" + als.name(), ps.coldPairs());
            }
        }
    }

    @Override
    public void implicit(Prep.SplitFiles split, Map<String, Double> run, Results res) throws IOException {
        long t0 = System.nanoTime();
        TriplesReader.TriplesSplit s = TriplesReader.read(split.train(), split.test());
        run.put("load", secs(t0));
        info(res, s);
        Scenario.Als als = Scenario.implicit(o);
        AlsModel model = fit(s.train(), als, run, "fit");
        t0 = System.nanoTime();
        model.recommendForAllUsers(Scenario.TOP, null);
        run.put("recommend_all", secs(t0));
        if (res != null) {
            // quality: top-10 without training items, Spark's RankingMetrics definitions (untimed)
            Csr seen = s.train().userItems();
            metrics(
                    res,
                    "",
                    RankingMetrics.evaluate(
                            Scenario.TOP,
                            model.recommendForAllUsers(Scenario.TOP, seen).idLists(),
                            s.test()));
            metrics(
                    res,
                    "popularity_",
                    RankingMetrics.evaluate(
                            Scenario.TOP, new PopularityBaseline(seen).recommendAll(Scenario.TOP, true), s.test()));
        }
    }

    @Override
    public void scaling(Prep.SplitFiles split, Map<String, Double> run, Results res) throws IOException {
        long t0 = System.nanoTime();
        Interactions train = TriplesReader.readTrain(split.train());
        run.put("load", secs(t0));
        if (res != null) {
            res.info("train_pairs", train.nnz())
                    .info("users", train.users().size())
                    .info("items", train.items().size());
        }
        for (Scenario.Als als : Scenario.scaling(o)) {
            Map<String, Double> tmp = new java.util.LinkedHashMap<>();
            fit(train, als, tmp, "fit");
            run.put(als.name(), tmp.get("fit") / als.iters());
            System.out.printf(Locale.ROOT, "  encore %s: %.3f s/iteration%n", als.name(), tmp.get("fit") / als.iters());
        }
    }

    /** Fits and records the fit's wall time (engine set-up and the iterations) under {@code stage}. */
    private AlsModel fit(Interactions train, Scenario.Als als, Map<String, Double> run, String stage) {
        AlsParams params = AlsParams.builder()
                .rank(als.rank())
                .maxIter(als.iters())
                .regParam(als.reg())
                .implicitPrefs(als.implicit())
                .alpha(als.alpha())
                .seed(Scenario.alsSeed(o))
                .init(Scenario.alsInit(o))
                .numBlocks(Scenario.numBlocks(o))
                .build();
        long t0 = System.nanoTime();
        FitResult fit = Als.with(params).backend(backend).threads(cores).fit(train);
        run.put(stage, secs(t0));
        return fit.model();
    }

    /** Records the four ranking metrics at {@link Scenario#TOP} under {@code prefix}. */
    public static void metrics(Results res, String prefix, RankingMetrics m) {
        int k = Scenario.TOP;
        res.metric(prefix + "precision_at_" + k, m.precisionAtK())
                .metric(prefix + "recall_at_" + k, m.recallAtK())
                .metric(prefix + "map_at_" + k, m.mapAtK())
                .metric(prefix + "ndcg_at_" + k, m.ndcgAtK());
    }

    private static void info(Results res, TriplesReader.TriplesSplit s) {
        if (res != null) {
            res.info("train_pairs", s.train().nnz())
                    .info("test_pairs", s.test().nnz())
                    .info("users", s.train().users().size())
                    .info("items", s.train().items().size());
        }
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
