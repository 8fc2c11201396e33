package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * Top-k selection for many query rows at once — the engine behind a {@link encore.als.Recommender}. The CPU
 * implementation is {@link encore.als.CpuTopKScorer}; a backend may offer its own (the GPU's fused scoring + top-k
 * kernel) through {@link AlsBackendProvider#openScorer}.
 *
 * <p>Contract, identical for every implementation: for each query row {@code q} (all of {@code queries}, or those
 * listed in {@code rows}) that is present, the {@code min(k, candidates)} present candidates not in row {@code q} of
 * {@code exclude}, ordered by score {@code x_q · y_c} descending, then candidate index descending (Spark's order).
 * Absent queries get an empty list. Scores are float; implementations may sum in different orders, so candidates
 * whose scores lie within float rounding of each other may swap places between implementations.
 */
public interface TopKScorer extends AutoCloseable {
    /** The engine that computed the latest result ("cpu", "gpu"). */
    String name();

    /** Why this scorer now runs on another engine than the one chosen (null when it does not). */
    default String fallbackReason() {
        return null;
    }

    /**
     * @param queries    query factors (users, for recommendations)
     * @param candidates candidate factors of the same rank (absent rows are never returned)
     * @param k          list length (≥ 1)
     * @param exclude    per query row, candidates to skip (a queries × candidates CSR, columns ascending), or null
     * @param rows       the query rows to score (result row r is query {@code rows[r]}), or null for all
     */
    Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows);

    /**
     * Both lists of every query row: with and without the entries of {@code exclude} (lists to show and lists to
     * evaluate). The default scores twice; a scorer may feed both from one scoring pass.
     *
     * @return {@code [withExclusion, withoutExclusion]}
     */
    default Recommendations[] topKWithAndWithoutExclusion(Factors queries, Factors candidates, int k, Csr exclude) {
        return new Recommendations[] {
            topK(queries, candidates, k, exclude, null), topK(queries, candidates, k, null, null)
        };
    }

    @Override
    void close();
}
