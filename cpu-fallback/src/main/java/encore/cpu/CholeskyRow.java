package encore.cpu;

import encore.als.SingularSystemException;

/** {@link RowStrategy#CHOLESKY}: the k × k normal equations, accumulated in double and solved by Cholesky. */
final class CholeskyRow implements RowSolver {
    private final int k;
    private final NormalEquation ne;

    CholeskyRow(int k) {
        this.k = k;
        this.ne = new NormalEquation(k);
    }

    @Override
    public void solve(int row, HalfStep step) {
        step.buildNormalEquation(row, ne);
        double[] b = ne.b();
        if (!DenseSolvers.choleskySolve(ne.a(), b, k)) {
            throw new SingularSystemException(row, step.ratings().rowLength(row));
        }
        float[] dst = step.dst();
        int o = row * k;
        for (int d = 0; d < k; d++) {
            dst[o + d] = (float) b[d];
        }
    }
}
