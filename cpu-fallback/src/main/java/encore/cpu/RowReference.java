package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/**
 * The CPU engine's own per-row solve, for a few chosen rows and a given YᵀY — what the GPU backend's spot-check
 * re-solves a sample of rows with (computing YᵀY again on the CPU would cost more than the whole GPU half-iteration,
 * so the check verifies the GPU's YᵀY separately and passes it in).
 */
public final class RowReference {
    private RowReference() {
    }

    /**
     * Solves {@code rows} of {@code ratings} into {@code dst} exactly as {@link CpuAlsBackend} would (same solver
     * selection, warm start from {@code dst} for CG), single-threaded.
     *
     * @param gram YᵀY of {@code src} (k × k, row-major, at least the upper triangle), required in implicit mode
     * @throws encore.als.SingularSystemException when a row's system is not positive definite
     */
    public static void solveRows(Csr ratings, int[] rows, float[] src, float[] dst, double[] gram, AlsParams p) {
        if (p.implicitPrefs() && (gram == null || gram.length != p.rank() * p.rank())) {
            throw new IllegalArgumentException("implicit mode needs the k × k YᵀY");
        }
        CpuAlsBackend.RowSolver rs = new CpuAlsBackend.RowSolver(p.rank());
        for (int r : rows) {
            if (ratings.rowLength(r) > 0) {
                rs.solveRow(ratings, r, src, dst, gram, null, p);
            }
        }
    }
}
