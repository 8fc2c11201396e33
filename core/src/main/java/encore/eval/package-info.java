/**
 * Offline evaluation: error and ranking metrics with Apache Spark's (mllib) definitions, and a most-popular baseline
 * to compare models against.
 *
 * <p>{@link encore.eval.RegressionMetrics} is Spark's {@code RegressionMetrics} with unit weights (RMSE, MSE, MAE);
 * {@link encore.eval.RankingMetrics} is Spark's binary-relevance {@code RankingMetrics} (precision@k, recall@k,
 * MAP@k, NDCG@k and MAP), including its quirks: precision@k always divides by k, duplicate predictions are counted
 * each time they occur, and a query with no ground truth contributes 0 but still counts in the mean.
 * {@link encore.eval.PopularityBaseline} ranks items by their number of distinct training users.
 *
 * <p>All three accumulate in {@code double} over primitive arrays; none is thread-safe, but accumulators of the same
 * kind can be combined with {@code merge}.
 */
package encore.eval;
