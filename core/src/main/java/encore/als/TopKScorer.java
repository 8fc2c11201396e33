package encore.als;

import encore.matrix.Csr;

import java.util.BitSet;

/**
 * Top-k selection for many query rows at once — the engine behind {@link AlsModel}'s recommend and similar-items
 * methods. The CPU implementation ({@link #cpu(int)}) is the blocked scorer; a backend may offer its own (the GPU's
 * fused scoring + top-k kernel) through {@link AlsBackendProvider#openScorer}.
 *
 * <p>Contract, identical for every implementation: for each query row {@code q} (all {@code nq}, or those listed in
 * {@code rows}) that has factors, the {@code min(k, nc)} candidates with factors and not in row {@code q} of
 * {@code exclude}, ordered by score {@code x_q · y_c} descending, then candidate index descending (Spark's order).
 * Scores are float; implementations may sum in different orders, so candidates whose scores lie within float
 * rounding of each other may swap places between implementations.
 */
public interface TopKScorer extends AutoCloseable {
    /** The engine that computed the latest result ("cpu", "gpu"). */
    String name();

    /** Why this scorer now runs on another engine than the one chosen (null when it does not). */
    default String fallbackReason() {
        return null;
    }

    /**
     * @param q       query factors, row-major, {@code nq × rank}
     * @param qHas    queries that have factors (others get an empty list)
     * @param c       candidate factors, row-major, {@code nc × rank}
     * @param cHas    candidates that have factors (others are never returned)
     * @param exclude per query row, candidates to skip (an nq × nc CSR, columns ascending), or null
     * @param rows    the query rows to score (result row r is query {@code rows[r]}), or null for all
     */
    Recommendations topK(float[] q, BitSet qHas, int nq, float[] c, BitSet cHas, int nc, int rank, int k, Csr exclude,
                         int[] rows);

    @Override
    void close();

    /** The multithreaded CPU scorer. */
    static TopKScorer cpu(int threads) {
        return new TopKScorer() {
            @Override
            public String name() {
                return "cpu";
            }

            @Override
            public Recommendations topK(float[] q, BitSet qHas, int nq, float[] c, BitSet cHas, int nc, int rank,
                                        int k, Csr exclude, int[] rows) {
                return BlockedScorer.topK(q, qHas, nq, c, cHas, nc, rank, k, exclude, rows, threads);
            }

            @Override
            public void close() {
            }
        };
    }
}
