package encore.cpu;

/**
 * {@link RowStrategy#NNLS}: the k × k normal equations, as {@link CholeskyRow} builds them, solved by
 * {@link DenseSolvers#nnls} (Spark's projected-gradient NNLS) so that every factor value is ≥ 0.
 */
final class NnlsRow implements RowSolver {
    private final int k;
    private final NormalEquation ne;
    private final double[] x;
    private final double[] workspace;

    NnlsRow(int k) {
        this.k = k;
        this.ne = new NormalEquation(k);
        this.x = new double[k];
        this.workspace = DenseSolvers.nnlsWorkspace(k);
    }

    @Override
    public void solve(int row, HalfStep step) {
        step.buildNormalEquation(row, ne);
        DenseSolvers.nnls(ne.a(), ne.b(), k, x, workspace);
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) x[d];
        }
    }
}
