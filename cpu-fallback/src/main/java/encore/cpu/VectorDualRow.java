package encore.cpu;

import encore.als.SingularSystemException;

/**
 * {@link RowStrategy#DUAL} with the Java Vector API: the same n × n dual system as {@link DualRow} (see there), its
 * Gram matrix YYᵀ as vector dot products, its Cholesky by {@link VectorDense#choleskySolve} and x = Yᵀt by {@link VectorDense#timesColumns}.
 * Loaded only when {@link SimdKernels#available()}; agrees with {@link DualRow} to rounding.
 */
final class VectorDualRow implements RowSolver {
    private final int k;
    private final int kp;
    /** The rated factors Y, n × kp row-major (n &lt; k), columns [k, kp) zero. */
    private final double[] y;
    /** YYᵀ + λI, n × stride(n) row-major (upper triangle; columns [n, stride(n)) zero). */
    private final double[] g;
    /** The ratings r, then (YYᵀ + λI)⁻¹ r; zero past n. */
    private final double[] t;
    /** x = Yᵀ t. */
    private final double[] x;

    private final double[] inv;
    private final FactorTouch touch = new FactorTouch();

    VectorDualRow(int k) {
        this.k = k;
        this.kp = VectorDense.stride(k);
        this.y = new double[k * kp];
        this.g = new double[kp * kp];
        this.t = new double[kp];
        this.x = new double[kp];
        this.inv = new double[k];
    }

    @Override
    public void solve(int row, HalfStep step) {
        int s = step.ratings().rowStart(row);
        int n = step.ratings().rowLength(row);
        touch.lines(step.src(), step.ratings().colIdx(), s, s + n, k);
        double lambda = DualRow.load(row, step, y, kp, t);
        int np = VectorDense.stride(n);
        for (int i = n; i < np; i++) {
            t[i] = 0;
        }
        for (int i = 0; i < n; i++) {
            int gi = i * np;
            for (int j = i; j < n; j++) {
                g[gi + j] = VectorDense.dot(y, i * kp, y, j * kp, kp);
            }
            g[gi + i] += lambda;
            for (int j = n; j < np; j++) {
                g[gi + j] = 0;
            }
        }
        if (!VectorDense.choleskySolve(g, t, n, np, inv, null)) {
            throw new SingularSystemException(row, n);
        }
        VectorDense.timesColumns(y, n, kp, t, x, false);
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
        }
    }
}
