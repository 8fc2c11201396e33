package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;

/**
 * An ALS engine (the SPI the estimator {@link encore.als.Als} drives). It offers two levels, both computing each row
 * with the same code:
 * <ul>
 *   <li>{@link #startFit} — a {@link AlsFit fit handle} that owns both factor matrices for a whole fit, where the
 *       engine computes them (host memory for the CPU, device memory for a GPU), and hands out host copies only when
 *       asked;</li>
 *   <li>{@link #solveRows} — a stateless row solve, "solve these rows of this ratings block given these source
 *       factors", for folding in new users at serving time and for distributed executors.</li>
 * </ul>
 * Implementations are found with {@link java.util.ServiceLoader} through {@link AlsBackendProvider}; whoever opens a
 * backend closes it.
 *
 * <p>The row math, identical for every engine (Spark's {@code computeFactors}): every row {@code r} of a ratings block
 * (dst × src) that has at least one entry gets the least-squares factor
 * <pre>
 * explicit:  (Σ_i y_i y_iᵀ + λ·n_r·I) x = Σ_i r_i y_i                                  n_r = entries of row r
 * implicit:  (YᵀY + Σ_i α|r_i| y_i y_iᵀ + λ·n_r⁺·I) x = Σ_{r_i>0} (1 + α r_i) y_i      n_r⁺ = entries with r_i &gt; 0
 * </pre>
 * where y_i are the src factors of the row's columns and YᵀY sums over all present src rows. Rows without entries are
 * left untouched. Normal equations are accumulated in double; factors are stored as float. Other docs refer here for
 * these equations.
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
     * Starts a fit. The handle takes ownership of {@code initial} (its factors may be written in place) and of nothing
     * else; the ratings are read-only and must stay unchanged until the handle is closed.
     *
     * @param userItems users × items ratings
     * @param itemUsers items × users, the transpose of {@code userItems}
     * @param initial   the initial factors ({@code userItems.rows()} users and {@code userItems.cols()} items at the
     *                  parameters' rank); iterative solvers warm-start from them
     * @param params    the parameters (rank, λ, implicit, α, solver, …)
     */
    AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params);

    /**
     * The stateless row solve: every row of {@code ratings} that has an entry, solved from {@code src} by the row math
     * above; the other rows are absent (zeros) in the result, which the caller owns.
     *
     * @param ratings   a block of rows (dst × src), columns indexing {@code src}'s rows
     * @param src       the fixed side's factors (YᵀY for implicit feedback is taken over all its present rows)
     * @param warmStart starting points for iterative solvers ({@code ratings.rows()} rows), or null for zeros; exact
     *                  solvers ignore it
     * @throws SingularSystemException when a row's system is not positive definite
     */
    default Factors solveRows(Csr ratings, Factors src, Factors warmStart, AlsParams params) {
        return solveRows(ratings, src, null, warmStart, params);
    }

    /**
     * The stateless row solve with YᵀY given, for a caller that holds only the src rows its ratings reference (a
     * distributed executor): as {@link #solveRows(Csr, Factors, Factors, AlsParams)}, with {@code gram} (implicit
     * feedback) standing for YᵀY over the whole fixed side, of which {@code src} may be a part.
     *
     * @param gram YᵀY (k × k row-major, upper triangle read), as {@link #gram} computes it and summed over the fixed
     *             side's parts; null: YᵀY of {@code src}'s present rows. Ignored for explicit feedback.
     * @throws SingularSystemException when a row's system is not positive definite
     */
    Factors solveRows(Csr ratings, Factors src, double[] gram, Factors warmStart, AlsParams params);

    /**
     * The stateless row solve prepared once for one fixed side, for callers that solve many small blocks against the
     * same {@code src} (serving: one folded-in user per request): whatever depends on the fixed side alone — YᵀY and
     * what an engine derives from it — is computed here, once, and every {@link RowSolve#solve} gives exactly what
     * {@link #solveRows(Csr, Factors, double[], Factors, AlsParams)} would. The default prepares nothing.
     *
     * @param src    the fixed side's factors; kept, never written
     * @param gram   YᵀY as for {@link #solveRows(Csr, Factors, double[], Factors, AlsParams)}, or null
     * @param params the parameters every solve uses
     */
    default RowSolve prepareRowSolve(Factors src, double[] gram, AlsParams params) {
        return (ratings, warmStart) -> solveRows(ratings, src, gram, warmStart, params);
    }

    /** A row solve against one prepared fixed side; thread-safe, as the backend's own row solve. */
    @FunctionalInterface
    interface RowSolve {
        /** {@link AlsBackend#solveRows} of {@code ratings} (columns indexing the prepared side's rows). */
        Factors solve(Csr ratings, Factors warmStart);
    }

    /**
     * YᵀY of the present rows of {@code src} (k × k row-major, the upper triangle set, the strict lower triangle zero),
     * summed as the row solve sums it. The YᵀY of a side held in parts is the sum of its parts' (to rounding: the
     * order of the sums differs).
     */
    double[] gram(Factors src);

    @Override
    void close();

    /**
     * The starting point of a {@link #solveRows} for {@code ratings}: a copy of {@code warmStart}, or zeros; checks
     * that {@code src} and {@code warmStart} match the ratings at the parameters' rank.
     */
    static float[] rowSolveStart(Csr ratings, Factors src, Factors warmStart, AlsParams params) {
        int k = params.rank();
        if (src.rank() != k || src.rows() != ratings.cols()) {
            throw new IllegalArgumentException("src factors (" + src.rows() + " × " + src.rank() + ") do not match the "
                    + ratings.rows() + " × " + ratings.cols() + " ratings at rank " + k);
        }
        if (warmStart != null && (warmStart.rank() != k || warmStart.rows() != ratings.rows())) {
            throw new IllegalArgumentException("warmStart has " + warmStart.rows() + " rows at rank " + warmStart.rank()
                    + ", expected " + ratings.rows() + " at rank " + k);
        }
        return warmStart == null
                ? new float[ratings.rows() * k]
                : warmStart.data().clone();
    }

    /** Checks that a given YᵀY (or null) has the parameters' k × k shape. */
    static void checkGram(double[] gram, AlsParams params) {
        int k = params.rank();
        if (gram != null && gram.length != k * k) {
            throw new IllegalArgumentException(
                    "gram has " + gram.length + " values, expected " + k + " × " + k + " at rank " + k);
        }
    }

    /**
     * The result of a {@link #solveRows}: {@code solved} (taken over) with the rows of {@code ratings} that have an
     * entry present and the others zeroed.
     */
    static Factors rowSolveResult(Csr ratings, float[] solved, int rank) {
        BitSet present = ratings.nonEmptyRows();
        for (int r = present.nextClearBit(0); r < ratings.rows(); r = present.nextClearBit(r + 1)) {
            Arrays.fill(solved, r * rank, (r + 1) * rank, 0f);
        }
        return Factors.wrap(solved, ratings.rows(), rank, present);
    }
}
