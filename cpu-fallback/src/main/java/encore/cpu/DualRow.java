package encore.cpu;

import encore.als.SingularSystemException;

/**
 * {@link RowStrategy#DUAL}: an explicit row with fewer ratings than the rank (most items of a long-tail catalogue),
 * solved in the dual by the push-through identity
 * <pre>
 * x = (YᵀY + λI)⁻¹ Yᵀr = Yᵀ (YYᵀ + λI)⁻¹ r        Y = the row's n × k rated factors, λ = regParam · n
 * </pre>
 * an n × n Cholesky instead of a k × k one (at rank 128 and n = 2: ~10³ instead of ~4·10⁵ multiply-adds). The
 * solution is the same; only rounding differs (both in double). With λ = 0 the primal system of rank ≤ n &lt; k is
 * singular, which is reported as Spark reports it.
 */
final class DualRow implements RowSolver {
    private final int k;
    /** The rated factors Y, n × k row-major (n &lt; k). */
    private final double[] y;
    /** YYᵀ + λI, n × n row-major (upper triangle). */
    private final double[] g;
    /** The ratings r, then (YYᵀ + λI)⁻¹ r. */
    private final double[] t;

    DualRow(int k) {
        this.k = k;
        this.y = new double[k * k];
        this.g = new double[k * k];
        this.t = new double[k];
    }

    /**
     * The row's λ = regParam · n, its n rated factors into y (row i at i · stride) and its ratings into t; shared with
     * {@link VectorDualRow}.
     *
     * @throws SingularSystemException when λ is not &gt; 0 (the dual system is then singular)
     */
    static double load(int row, HalfStep step, double[] y, int stride, double[] t) {
        int s = step.ratings().rowStart(row);
        int n = step.ratings().rowLength(row);
        double lambda = step.lambda(row);
        if (!(lambda > 0)) {
            throw new SingularSystemException(row, n);
        }
        int k = step.params().rank();
        int[] col = step.ratings().colIdx();
        float[] val = step.ratings().values();
        float[] src = step.src();
        for (int i = 0; i < n; i++) {
            int so = col[s + i] * k;
            int yo = i * stride;
            for (int d = 0; d < k; d++) {
                y[yo + d] = src[so + d];
            }
            t[i] = val[s + i];
        }
        return lambda;
    }

    @Override
    public void solve(int row, HalfStep step) {
        int n = step.ratings().rowLength(row);
        double lambda = load(row, step, y, k, t);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double dot = 0;
                for (int d = 0; d < k; d++) {
                    dot += y[i * k + d] * y[j * k + d];
                }
                g[i * n + j] = dot;
            }
            g[i * n + i] += lambda;
        }
        if (!DenseSolvers.choleskySolve(g, t, n)) {
            throw new SingularSystemException(row, n);
        }
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            double x = 0;
            for (int i = 0; i < n; i++) {
                x += t[i] * y[i * k + d];
            }
            dst[o + d] = (float) x;
        }
    }
}
