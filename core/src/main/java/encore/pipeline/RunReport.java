package encore.pipeline;

import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.util.Json;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured, typed; {@link #toJson()} is the content of {@code metrics.json} (the keys are documented in the
 * README).
 *
 * @param input            the input section as {@code prepare.json} writes it (source, rows read and dropped, pairs,
 *                         …), or the triples' counts
 * @param counts           the same counts, typed
 * @param quality          RMSE/MAE and the ranking metrics against the most-popular baseline
 * @param engines          which engine fitted and which recommended, and why not the preferred one
 * @param params           the parameters as reported ({@code rank}, {@code max_iter}, …, {@code threads}, {@code top})
 * @param timings          seconds per stage, in pipeline order, then {@code write} and {@code total}
 * @param iterationSeconds the time of each ALS iteration
 */
public record RunReport(
        Map<String, Object> input,
        Counts counts,
        Quality quality,
        Engines engines,
        Map<String, Object> params,
        Map<String, Double> timings,
        List<Double> iterationSeconds) {
    /** Copies the maps and the list (insertion order kept). */
    public RunReport {
        input = Collections.unmodifiableMap(new LinkedHashMap<>(input));
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        timings = Collections.unmodifiableMap(new LinkedHashMap<>(timings));
        iterationSeconds = List.copyOf(iterationSeconds);
    }

    /**
     * The data's sizes.
     *
     * @param rowsRead CSV rows read, or -1 when the run read a train/test pair of triples files
     * @param rowsKept rows kept after cleaning (-1 for triples)
     * @param pairs    distinct (user, item) pairs (-1 for triples)
     * @param train    training pairs (from a listenings file) or training rating lines (triples)
     * @param test     test pairs (listenings) or test rating lines (triples)
     */
    public record Counts(long rowsRead, long rowsKept, long pairs, int users, int items, long train, long test) {
        /** Whether the run read triples files rather than a listenings file. */
        public boolean fromTriples() {
            return rowsRead < 0;
        }
    }

    /**
     * The quality figures.
     *
     * @param regression RMSE/MAE over the test pairs whose user and item have factors
     * @param coldPairs  test pairs skipped because the user or the item has no factors
     * @param ranking    ALS's ranking metrics at {@code k}
     * @param popularity the most-popular baseline's
     */
    public record Quality(
            RegressionMetrics regression, long coldPairs, RankingMetrics ranking, RankingMetrics popularity, int k) {}

    /** The engines that fitted and recommended, and why each is not the preferred one (null when it is). */
    public record Engines(String fit, String fitFallbackReason, String recommend, String recommendFallbackReason) {}

    /** {@code metrics.json}: the input section, the quality figures, the engines, params, timings, iterations. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = Json.object();
        m.putAll(input);
        RegressionMetrics reg = quality.regression();
        int k = quality.k();
        m.put("rmse", reg.count() == 0 ? null : reg.rmse());
        m.put("mae", reg.count() == 0 ? null : reg.mae());
        m.put("cold_pairs_skipped", quality.coldPairs());
        m.put("test_pairs_scored", reg.count());
        m.put("ranking_queries", quality.ranking().queries());
        put(m, "", quality.ranking(), k);
        put(m, "popularity_", quality.popularity(), k);
        m.put("backend", engines.fit());
        m.put("fallback_reason", engines.fitFallbackReason());
        m.put("recommend_backend", engines.recommend());
        m.put("recommend_fallback_reason", engines.recommendFallbackReason());
        m.put("params", new LinkedHashMap<>(params));
        m.put("timings_s", timings);
        m.put("iterations_s", iterationSeconds);
        return m;
    }

    private static void put(Map<String, Object> m, String prefix, RankingMetrics r, int k) {
        m.put(prefix + "precision_at_" + k, r.precisionAtK());
        m.put(prefix + "recall_at_" + k, r.recallAtK());
        m.put(prefix + "map_at_" + k, r.mapAtK());
        m.put(prefix + "ndcg_at_" + k, r.ndcgAtK());
    }
}
