package encore.pipeline;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.Backends;
import encore.als.FitListener;
import encore.als.FitResult;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.matrix.Csr;
import encore.data.IngestProgress;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.Prepared;
import encore.data.TriplesReader;
import encore.eval.PopularityBaseline;
import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.internal.Memory;
import encore.util.AtomicFileSet;
import encore.util.AtomicOutput;
import encore.util.Json;
import encore.data.PreparedFiles;
import encore.util.TextFields;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    private RunPipeline() {
    }

    /** Progress events, for the CLI. */
    public interface Listener extends FitListener, IngestProgress {
        /** Stage {@code name} finished in {@code seconds}. */
        default void stage(String name, double seconds) {
        }

        @Override
        default void bytesRead(long done, long total) {
        }

        /** A listener that ignores every event. */
        Listener SILENT = new Listener() { };
    }

    /** The outcome: the model, the metrics report (as written to metrics.json) and the output lists. */
    public record Result(AlsModel model, Interactions train, Recommendations recommendations,
                         Map<String, Object> metrics) {
    }

    /** Runs the recipe described by {@code o}, writes the output files into {@code out} and returns the outcome. */
    public static Result run(RunOptions o, Path out, Listener listener) throws IOException {
        AtomicOutput.checkWritableDirectory(out); // before any work
        Map<String, Double> t = new LinkedHashMap<>();
        long start = System.nanoTime();
        Backends.Choice choice = o.als().choice(); // an unavailable backend fails before any work
        Als als = o.als().backend(choice).listener(listener);
        Map<String, Object> report = Json.object();
        Interactions train;
        Csr test;
        if (o.data() != null) {
            Prepared p = Prepare.run(o.data(), o.prepare(), listener);
            Map<String, Object> prep = PreparedFiles.report(p, true);
            @SuppressWarnings("unchecked")
            Map<String, Object> pt = (Map<String, Object>) prep.remove("timings_s");
            report.putAll(prep);
            t.put("ingest", (Double) pt.get("read_clean"));
            t.put("aggregate", (Double) pt.get("aggregate") + (Double) pt.getOrDefault("limit", 0.0));
            t.put("index", (Double) pt.get("index"));
            t.put("split", (Double) pt.get("split") + (Double) pt.get("csr"));
            train = p.train();
            test = p.split().test().toUserItems();
        } else {
            long t0 = System.nanoTime();
            TriplesReader.TriplesSplit s = TriplesReader.read(o.train(), o.test());
            t.put("ingest", secs(t0));
            t.put("aggregate", 0.0);
            t.put("index", 0.0);
            t.put("split", 0.0);
            train = s.train();
            test = s.test();
            report.put("source", o.train() + " + " + o.test());
            report.put("train_ratings", s.trainLines());
            report.put("test_ratings", s.testLines());
            report.put("users", train.users().size());
            report.put("items", train.items().size());
            report.put("train_pairs", train.nnz());
            report.put("test_pairs", test.nnz());
        }
                for (var e : t.entrySet()) {
            listener.stage(e.getKey(), e.getValue());
        }

        // fit
        long t0 = System.nanoTime();
        FitResult fit = als.fit(train);
        String engine = fit.engine();
        String fallbackReason = fit.fallbackReason();
        AlsModel model = fit.model();
        t.put("fit", secs(t0));
        listener.stage("fit", t.get("fit"));

        // predict + regression metrics
        t0 = System.nanoTime();
        PairScores scored = scorePairs(model, test);
        RegressionMetrics reg = scored.metrics();
        long cold = scored.coldPairs();
        t.put("predict", secs(t0));
        listener.stage("predict", t.get("predict"));

        // recommend: the lists to write and, from the same scores, the lists to evaluate (without training items)
        t0 = System.nanoTime();
        Csr seen = train.userItems();
        Memory.require(Memory.topK(train.users().size(), o.top(), o.excludeSeen() ? 1 : 2),
            "the top-" + o.top() + " lists of " + train.users().size() + " users");
        Recommendations recs;
        Recommendations evalRecs;
        String recommendEngine;
        String recommendFallback;
        try (Recommender scoring = model.recommender(choice, als.threadCount())) {
            if (o.excludeSeen()) {
                recs = scoring.recommendForAllUsers(o.top(), seen);
                evalRecs = recs;
            } else {
                Recommender.ListsWithAndWithoutExclusion both = scoring.recommendForAllUsersBoth(o.top(), seen);
                recs = both.all();
                evalRecs = both.excluded();
            }
            recommendEngine = scoring.engine();
            recommendFallback = scoring.fallbackReason();
        }
        t.put("recommend", secs(t0));
        listener.stage("recommend", t.get("recommend"));

        // ranking metrics and the most-popular baseline
        t0 = System.nanoTime();
        RankingMetrics rank = RankingMetrics.evaluate(o.top(), evalRecs.idLists(), test);
        PopularityBaseline pop = new PopularityBaseline(seen);
        RankingMetrics popRank = RankingMetrics.evaluate(o.top(), pop.recommendAll(o.top(), true), test);
        t.put("evaluate", secs(t0));
        listener.stage("evaluate", t.get("evaluate"));

        int k = o.top();
        report.put("rmse", reg.count() == 0 ? null : reg.rmse());
        report.put("mae", reg.count() == 0 ? null : reg.mae());
        report.put("cold_pairs_skipped", cold);
        report.put("test_pairs_scored", reg.count());
        report.put("ranking_queries", rank.queries());
        report.put("precision_at_" + k, rank.precisionAtK());
        report.put("recall_at_" + k, rank.recallAtK());
        report.put("map_at_" + k, rank.mapAtK());
        report.put("ndcg_at_" + k, rank.ndcgAtK());
        report.put("popularity_precision_at_" + k, popRank.precisionAtK());
        report.put("popularity_recall_at_" + k, popRank.recallAtK());
        report.put("popularity_map_at_" + k, popRank.mapAtK());
        report.put("popularity_ndcg_at_" + k, popRank.ndcgAtK());
        report.put("backend", engine);
        report.put("fallback_reason", fallbackReason);
        report.put("recommend_backend", recommendEngine);
        report.put("recommend_fallback_reason", recommendFallback);
        report.put("params", params(o));

        // write
        t0 = System.nanoTime();
        Files.createDirectories(out);
        try (AtomicFileSet files = new AtomicFileSet()) {
            PreparedFiles.writeIndex(files.open(out.resolve(PreparedFiles.USERS)), train.users());
            PreparedFiles.writeIndex(files.open(out.resolve(PreparedFiles.ITEMS)), train.items());
            RecommendationsCsv.write(files.open(out.resolve(RECOMMENDATIONS)), model, recs, null);
            t.put("write", secs(t0));
            t.put("total", secs(start));
            Map<String, Object> timings = Json.object();
            timings.putAll(t);
            report.put("timings_s", timings);
            report.put("iterations_s", new ArrayList<Object>(fit.iterationSeconds()));
            // metrics.json, renamed last, marks the directory's result complete
            files.commitWithMarker(out.resolve(METRICS), Json.write(report).getBytes(StandardCharsets.UTF_8));
        }
        return new Result(model, train, recs, report);
    }

    /** RMSE/MAE over the pairs the model can score, and how many cold pairs were skipped. */
    public record PairScores(RegressionMetrics metrics, long coldPairs) {
    }

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
