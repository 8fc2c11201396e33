package encore.als;

import encore.matrix.Csr;

/**
 * An ALS engine as the {@link AlsTrainer} drives it: one half-iteration at a time, "solve one side given the other".
 * Implementations (the CPU engine, the CUDA engine) are found with {@link java.util.ServiceLoader} through
 * {@link AlsBackendProvider}. A backend may keep native resources; it is closed by whoever opened it.
 *
 * <p>For every row {@code r} of {@code ratings} (dst × src) that has at least one entry, the backend writes the
 * least-squares factor {@code dst[r·k .. r·k+k)} from the src factors, exactly as Spark's {@code computeFactors}:
 * <pre>
 * explicit:  (Σ_i y_i y_iᵀ + λ·n_r·I) x = Σ_i r_i y_i                       n_r = entries of row r
 * implicit:  (YᵀY + Σ_i α|r_i| y_i y_iᵀ + λ·n_r⁺·I) x = Σ_{r_i>0} (1 + α r_i) y_i   n_r⁺ = entries with r_i > 0
 * </pre>
 * where YᵀY sums over all src rows (rows without factors are zero vectors and add nothing). Rows without entries are
 * left untouched. Normal equations are accumulated in double; factors are stored as float.
 */
public interface AlsBackend extends AutoCloseable {
    /**
     * A short name of the engine that computed the latest result ("cpu", "gpu"). A checked GPU backend that fell back
     * reports "cpu" from then on, and {@link #fallbackReason()} says why.
     */
    String name();

    /** Why this backend now runs on another engine than the one chosen (null when it does not). */
    default String fallbackReason() {
        return null;
    }

    /**
     * One half-iteration.
     *
     * @param ratings dst × src ratings (CSR)
     * @param src     src factors, row-major, {@code ratings.cols() × k}
     * @param dst     dst factors, row-major, {@code ratings.rows() × k}; read as the warm start by iterative solvers
     * @param params  the parameters (rank, λ, implicit, α, solver, …)
     * @throws SingularSystemException when a row's system is not positive definite
     */
    void solve(Csr ratings, float[] src, float[] dst, AlsParams params);

    @Override
    void close();
}
