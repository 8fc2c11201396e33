package encore.pipeline;

import encore.als.AlsModel;
import encore.als.Backends;
import encore.als.FitListener;
import encore.als.FitResult;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.data.IngestProgress;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.Prepared;
import encore.data.PreparedFiles;
import encore.data.TriplesReader;
import encore.eval.PopularityBaseline;
import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.internal.Memory;
import encore.matrix.Csr;
import encore.util.AtomicFileSet;
import encore.util.AtomicOutput;
import encore.util.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Spark ALS recipe end to end: ingest → clean → aggregate → index → split → fit → predict the test pairs → RMSE/MAE →
 * top-K for every user → ranking metrics against a most-popular baseline → files.
 *
 * <p>Evaluation rules: RMSE and MAE skip cold test pairs (Spark's {@code coldStartStrategy=drop}) and count them.
 * Ranking metrics are computed for every user with at least one test item, from top-K lists that exclude that
 * user's training items; a user without factors, or a test item never seen in training, counts as a miss. The most-
 * popular baseline ranks items by training users and also excludes training items.
 */
public final class RunPipeline {
    /** Files written into the output directory. */
    public static final String RECOMMENDATIONS = "recommendations.csv";
    /** The metrics report, also written into the output directory. */
    public static final String METRICS = "metrics.json";

    private RunPipeline() {}

    /** Progress events, for the CLI. */
    public interface Listener extends FitListener, IngestProgress {
        /** Stage {@code name} finished in {@code seconds}. */
        default void stage(String name, double seconds) {}

        @Override
        default void bytesRead(long done, long total) {}

        /** A listener that ignores every event. */
        Listener SILENT = new Listener() {};
    }

    /** The outcome: the model, the training set, the written lists and the report (typed; metrics.json is its JSON). */
    public record Result(AlsModel model, Interactions train, Recommendations recommendations, RunReport report) {
        /** The report as written to metrics.json. */
        public Map<String, Object> metrics() {
            return report.toJson();
        }
    }

    /** Runs the recipe described by {@code o}, writes the output files into {@code out} and returns the outcome. */
    public static Result run(RunOptions o, Path out, Listener listener) throws IOException {
        AtomicOutput.checkWritableDirectory(out); // before any work
        // an unavailable backend fails before any work; one choice for the fit and the recommender: one device open
        try (Backends.Choice choice = Backends.choose(o.als().backendName())) {
            return run(o, out, listener, choice);
        }
    }

    private static Result run(RunOptions o, Path out, Listener listener, Backends.Choice choice) throws IOException {
        Stages st = new Stages(listener);
        Inputs in = load(o, st);

        long t0 = System.nanoTime();
        FitResult fit = o.als().backend(choice).listener(listener).fit(in.train());
        AlsModel model = fit.model();
        st.time("fit", t0);

        t0 = System.nanoTime();
        PairScores scored = scorePairs(model, in.test());
        st.time("predict", t0);

        t0 = System.nanoTime();
        Lists lists = recommend(model, in.train(), o, choice);
        st.time("recommend", t0);

        t0 = System.nanoTime();
        Csr seen = in.train().userItems();
        RankingMetrics rank = RankingMetrics.evaluate(o.top(), lists.evaluated().idLists(), in.test());
        RankingMetrics popRank =
                RankingMetrics.evaluate(o.top(), new PopularityBaseline(seen).recommendAll(o.top(), true), in.test());
        st.time("evaluate", t0);

        RunReport.Quality quality = new RunReport.Quality(scored.metrics(), scored.coldPairs(), rank, popRank, o.top());
        RunReport.Engines engines =
                new RunReport.Engines(fit.engine(), fit.fallbackReason(), lists.engine(), lists.fallbackReason());
        RunReport report = write(
                out,
                new Written(in.train(), model, lists.written()),
                st,
                seconds -> new RunReport(
                        in.input(), in.counts(), quality, engines, params(o), seconds, fit.iterationSeconds()));
        return new Result(model, in.train(), lists.written(), report);
    }

    /** Stage timings, the report being built, and the listener that hears about each stage. */
    private static final class Stages {
        final Map<String, Double> seconds = new LinkedHashMap<>();
        final Listener listener;
        final long start = System.nanoTime();

        Stages(Listener listener) {
            this.listener = listener;
        }

        void time(String stage, long t0) {
            seconds.put(stage, secs(t0));
            listener.stage(stage, seconds.get(stage));
        }
    }

    /** The training set, the test pairs, and their counts (as JSON for the report's input section, and typed). */
    private record Inputs(Interactions train, Csr test, Map<String, Object> input, RunReport.Counts counts) {}

    /** The training set and the test pairs: from the front end (with a listenings file) or from triples. */
    private static Inputs load(RunOptions o, Stages st) throws IOException {
        Map<String, Double> t = st.seconds;
        Map<String, Object> report = Json.object();
        Inputs in;
        if (o.data() != null) {
            Prepared p = Prepare.run(o.data(), o.prepare(), st.listener);
            report.putAll(PreparedFiles.counts(p, true));
            RunReport.Counts counts = new RunReport.Counts(
                    p.ingest().rowsRead(),
                    p.ingest().rowsKept(),
                    p.plays().pairs(),
                    p.plays().users().size(),
                    p.plays().items().size(),
                    p.split().train().pairs(),
                    p.split().test().pairs());
            Map<String, Double> pt = p.timings();
            t.put("ingest", pt.get("read_clean"));
            t.put("aggregate", pt.get("aggregate") + pt.getOrDefault("limit", 0.0));
            t.put("index", pt.get("index"));
            t.put("split", pt.get("split") + pt.get("csr"));
            in = new Inputs(p.train(), p.split().test().toUserItems(), report, counts);
        } else {
            long t0 = System.nanoTime();
            TriplesReader.TriplesSplit s = TriplesReader.read(o.train(), o.test());
            t.put("ingest", secs(t0));
            t.put("aggregate", 0.0);
            t.put("index", 0.0);
            t.put("split", 0.0);
            report.put("source", o.train() + " + " + o.test());
            report.put("train_ratings", s.trainLines());
            report.put("test_ratings", s.testLines());
            report.put("users", s.train().users().size());
            report.put("items", s.train().items().size());
            report.put("train_pairs", s.train().nnz());
            report.put("test_pairs", s.test().nnz());
            RunReport.Counts counts = new RunReport.Counts(
                    -1, -1, -1, s.train().users().size(), s.train().items().size(), s.trainLines(), s.testLines());
            in = new Inputs(s.train(), s.test(), report, counts);
        }
        for (var e : t.entrySet()) {
            st.listener.stage(e.getKey(), e.getValue());
        }
        return in;
    }

    /** The lists to write and the lists to evaluate (without training items), and who computed them. */
    private record Lists(Recommendations written, Recommendations evaluated, String engine, String fallbackReason) {}

    /** Both lists from one scoring pass where the scorer can (they are one list with {@code excludeSeen}). */
    private static Lists recommend(AlsModel model, Interactions train, RunOptions o, Backends.Choice choice) {
        Csr seen = train.userItems();
        Memory.require(
                Memory.topK(train.users().size(), o.top(), o.excludeSeen() ? 1 : 2),
                "the top-" + o.top() + " lists of " + train.users().size() + " users");
        try (Recommender scoring = model.recommender(choice, o.als().threadCount())) {
            if (o.excludeSeen()) {
                Recommendations recs = scoring.recommendForAllUsers(o.top(), seen);
                return new Lists(recs, recs, scoring.engine(), scoring.fallbackReason());
            }
            Recommender.ListsWithAndWithoutExclusion both = scoring.recommendForAllUsersBoth(o.top(), seen);
            return new Lists(both.all(), both.excluded(), scoring.engine(), scoring.fallbackReason());
        }
    }

    /** What the run writes besides the report. */
    private record Written(Interactions train, AlsModel model, Recommendations recs) {}

    /**
     * The output files, committed together with metrics.json renamed last (it marks a complete result); the report is
     * made once the write time is known.
     */
    private static RunReport write(
            Path out, Written w, Stages st, java.util.function.Function<Map<String, Double>, RunReport> report)
            throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(out);
        try (AtomicFileSet files = new AtomicFileSet()) {
            PreparedFiles.writeIndex(
                    files.open(out.resolve(PreparedFiles.USERS)), w.train().users());
            PreparedFiles.writeIndex(
                    files.open(out.resolve(PreparedFiles.ITEMS)), w.train().items());
            RecommendationsCsv.write(files.open(out.resolve(RECOMMENDATIONS)), w.model(), w.recs(), null);
            st.seconds.put("write", secs(t0));
            st.seconds.put("total", secs(st.start));
            RunReport r = report.apply(st.seconds);
            files.commitWithMarker(out.resolve(METRICS), Json.write(r.toJson()).getBytes(StandardCharsets.UTF_8));
            return r;
        }
    }

    /** RMSE/MAE over the pairs the model can score, and how many cold pairs were skipped. */
    public record PairScores(RegressionMetrics metrics, long coldPairs) {}

    /**
     * Predicts every entry of {@code pairs} and accumulates RMSE/MAE over those whose user and item have factors,
     * skipping and counting the cold ones (Spark's {@code coldStartStrategy=drop}).
     */
    public static PairScores scorePairs(AlsModel model, Csr pairs) {
        float[] pred = model.transform(pairs);
        float[] label = pairs.values();
        RegressionMetrics reg = new RegressionMetrics();
        long cold = 0;
        for (int q = 0; q < pred.length; q++) {
            if (Float.isNaN(pred[q])) {
                cold++;
            } else {
                reg.add(label[q], pred[q]);
            }
        }
        return new PairScores(reg, cold);
    }

    private static Map<String, Object> params(RunOptions o) {
        var p = o.als().params();
        Map<String, Object> m = Json.object();
        m.put("rank", p.rank());
        m.put("max_iter", p.maxIter());
        m.put("reg_param", p.regParam());
        m.put("implicit_prefs", p.implicitPrefs());
        m.put("alpha", p.alpha());
        m.put("nonnegative", p.nonnegative());
        m.put("solver", p.solver().name().toLowerCase(Locale.ROOT));
        m.put("cg_steps", p.cgSteps());
        m.put("seed", p.seed());
        m.put("init", p.init().name().toLowerCase(Locale.ROOT));
        m.put("num_blocks", p.numBlocks());
        m.put("threads", o.als().threadCount());
        m.put("top", o.top());
        m.put("exclude_seen", o.excludeSeen());
        return m;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
