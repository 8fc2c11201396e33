package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/**
 * How the CPU engine solves one row of a half-iteration. Every strategy solves the same system (the row math on
 * {@link encore.als.AlsBackend}); they differ in cost and in rounding only. A row's strategy depends on nothing but
 * the row and the parameters ({@link #choose}), so the factors never depend on the thread count.
 *
 * <table>
 * <caption>Row strategies (n = the row's entries, m = its entries with r ≠ 0, k = rank)</caption>
 * <tr><th>strategy</th><th>rows</th><th>cost</th><th>CPU class</th><th>GPU engine today</th></tr>
 * <tr><td>{@link #CHOLESKY}</td><td>every row no other strategy takes</td><td>n·k²/2 + k³/6</td>
 *     <td>{@code CholeskyRow}</td><td>yes: every row of a fit without {@code solver=cg}</td></tr>
 * <tr><td>{@link #DUAL}</td><td>explicit, n &lt; k</td><td>n²·k/2 + n³/6</td><td>{@code DualRow}</td>
 *     <td>no: these rows take CHOLESKY there</td></tr>
 * <tr><td>{@link #WOODBURY}</td><td>implicit Cholesky, 0 &lt; m &lt; k/2</td><td>m·k²/2 + m²·k/2</td>
 *     <td>{@code WoodburyRow}</td><td>no: these rows take CHOLESKY there</td></tr>
 * <tr><td>{@link #NNLS}</td><td>{@code nonnegative}</td><td>n·k²/2 + iterations·k²</td><td>{@code NnlsRow}</td>
 *     <td>no: nonnegative fits run on the CPU</td></tr>
 * <tr><td>{@link #CG}</td><td>implicit, {@code solver=cg}</td><td>cgSteps·(k² + 2·n·k)</td><td>{@code CgRow}</td>
 *     <td>yes</td></tr>
 * </table>
 * A Woodbury row falls back to CHOLESKY when its shared factor or its small system is not positive definite.
 * With the vector kernels ({@link SimdKernels}) a WOODBURY row is solved by the vector Cholesky instead, which is
 * cheaper there (see {@code RowSolvers}); the strategy of a row does not change.
 */
public enum RowStrategy {
    /** The k × k normal equations, built in double and solved by Cholesky. */
    CHOLESKY,
    /** Explicit rows with fewer entries than the rank: the n × n dual system (push-through identity). */
    DUAL,
    /** Implicit rows with few confident entries: Woodbury's identity around a Cholesky factor shared by all rows. */
    WOODBURY,
    /** {@code nonnegative}: the k × k normal equations solved by non-negative least squares (Spark's NNLS). */
    NNLS,
    /** Implicit {@code solver=cg}: conjugate gradient warm-started from the current factor, never forming A. */
    CG;

    /**
     * The strategy of a row.
     *
     * @param entries   the row's entries (≥ 1)
     * @param confident its entries with r ≠ 0 (confidence α|r| &gt; 0); a count may stop at
     *                  {@link #woodburyLimit}; read for implicit feedback only
     * @param p         the parameters
     */
    public static RowStrategy choose(int entries, int confident, AlsParams p) {
        if (p.implicitPrefs() && p.solver() == AlsParams.Solver.CG) {
            return CG;
        }
        if (p.nonnegative()) {
            return NNLS;
        }
        if (!p.implicitPrefs()) {
            return entries < p.rank() ? DUAL : CHOLESKY;
        }
        return confident > 0 && confident < woodburyLimit(p.rank()) ? WOODBURY : CHOLESKY;
    }

    /** {@link #choose} for row {@code row} of {@code ratings} (which must have an entry). */
    public static RowStrategy of(Csr ratings, int row, AlsParams p) {
        return choose(ratings.rowLength(row), confident(ratings, row, p), p);
    }

    /**
     * Row {@code row}'s entries with r ≠ 0, counted up to {@link #woodburyLimit} (what {@link #choose} reads); 0 for
     * explicit feedback.
     */
    static int confident(Csr ratings, int row, AlsParams p) {
        int confident = 0;
        if (p.implicitPrefs()) {
            int limit = woodburyLimit(p.rank());
            float[] val = ratings.values();
            for (int q = ratings.rowStart(row), e = ratings.rowEnd(row); q < e && confident < limit; q++) {
                if (val[q] != 0) {
                    confident++;
                }
            }
        }
        return confident;
    }

    /** Implicit rows with fewer confident entries than this (k/2) take {@link #WOODBURY}. */
    public static int woodburyLimit(int k) {
        return k / 2;
    }

    /** Whether {@link #choose} returns this strategy for some row under {@code p}. */
    public boolean possibleWith(AlsParams p) {
        boolean cg = p.implicitPrefs() && p.solver() == AlsParams.Solver.CG;
        boolean exact = !cg && !p.nonnegative();
        return switch (this) {
            case CG -> cg;
            case NNLS -> p.nonnegative();
            case CHOLESKY -> exact;
            case DUAL -> exact && !p.implicitPrefs() && p.rank() > 1;
            case WOODBURY -> exact && p.implicitPrefs() && woodburyLimit(p.rank()) > 1;
        };
    }
}
