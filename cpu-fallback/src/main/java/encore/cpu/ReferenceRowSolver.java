package encore.cpu;

import encore.als.AlsParams;
import encore.matrix.Csr;

/**
 * The CPU engine's own per-row solve, for a few chosen rows and a given YᵀY: what the GPU backend's spot check
 * re-solves a sample of rows with (computing YᵀY again on the CPU would cost more than the whole GPU half-iteration,
 * so the check verifies the GPU's YᵀY separately and passes it in).
 */
public final class ReferenceRowSolver {
    private ReferenceRowSolver() {}

    /**
     * Solves {@code rows} of {@code ratings} into {@code dst} single-threaded, each by the strategy and with the
     * arithmetic of the CPU engine's half-iteration ({@link RowStrategy#of}; what the
     * {@link RowStrategy#WOODBURY} rows share is computed from {@code gram} when a row needs it; CG warm-starts from
     * {@code dst}; the vector kernels where {@link SimdKernels#available()}, as the engine). Given the engine's own
     * YᵀY the rows come out bit-identical to {@link CpuHalfIteration#solve}'s; rows without entries are left
     * untouched.
     *
     * @param gram YᵀY of {@code src} (k × k, row-major, at least the upper triangle), required in implicit mode
     * @throws encore.als.SingularSystemException when a row's system is not positive definite
     */
    public static void solveRows(Csr ratings, int[] rows, float[] src, float[] dst, double[] gram, AlsParams p) {
        int k = p.rank();
        if (p.implicitPrefs() && (gram == null || gram.length != k * k)) {
            throw new IllegalArgumentException("implicit mode needs the k × k YᵀY");
        }
        if (src.length != (long) ratings.cols() * k || dst.length != (long) ratings.rows() * k) {
            throw new IllegalArgumentException("factor arrays do not match the " + ratings.rows() + " × "
                    + ratings.cols() + " ratings at rank " + k);
        }
        WoodburyBase base = null;
        boolean simd = SimdKernels.available();
        for (int r : rows) {
            if (ratings.rowLength(r) > 0 && RowStrategy.of(ratings, r, p) == RowStrategy.WOODBURY) {
                base = WoodburyBase.of(gram, p, simd);
                break;
            }
        }
        HalfStep step = new HalfStep(ratings, src, dst, gram, base, p);
        RowSolvers rs = new RowSolvers(k, simd);
        for (int r : rows) {
            if (ratings.rowLength(r) > 0) {
                rs.solve(r, step);
            }
        }
    }
}
