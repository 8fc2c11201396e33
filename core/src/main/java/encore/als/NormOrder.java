package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;

/**
 * The present candidates in descending-norm order, the order {@link CpuTopKScorer} scores them in: position
 * {@code p} is candidate {@code ids[p]}, with factors at {@code factors[p·rank …]} (row-major) and
 * {@code bounds[p] = ‖y‖·(1 + 10⁻⁴) + MIN_NORMAL}, an upper bound on its norm that absorbs float rounding (see
 * {@link CpuTopKScorer}). Absent candidates have no position ({@code positionOf = −1}): Spark never recommends an
 * entity without factors. Ties in norm keep id order, so the order is a function of the factors alone.
 */
record NormOrder(int[] ids, float[] bounds, float[] factors, int rank, int[] positionOf) {
    /** Relative margin on every norm: pruning must never change a result. */
    static final double BOUND_MARGIN = 1 + 1e-4;

    static NormOrder of(Factors candidates) {
        float[] c = candidates.data();
        int rank = candidates.rank();
        int nc = candidates.rows();
        long[] keyed = new long[candidates.presentCount()];
        double[] norm = new double[nc];
        int at = 0;
        for (int j = candidates.nextPresent(0); j >= 0; j = candidates.nextPresent(j + 1)) {
            norm[j] = Math.sqrt(squaredNorm(c, j * rank, rank));
            // descending norm: sort ascending on the bit pattern of (−norm) mapped to an ordered int, then id
            int bits = Float.floatToIntBits((float) norm[j]);
            keyed[at++] = ((long) (Integer.MAX_VALUE - bits) << 32) | j;
        }
        Arrays.sort(keyed);
        int n = keyed.length;
        int[] ids = new int[n];
        float[] bounds = new float[n];
        float[] f = new float[n * rank];
        int[] pos = new int[nc];
        Arrays.fill(pos, -1);
        for (int p = 0; p < n; p++) {
            int j = (int) keyed[p];
            ids[p] = j;
            pos[j] = p;
            bounds[p] = (float) (norm[j] * BOUND_MARGIN) + Float.MIN_NORMAL;
            System.arraycopy(c, j * rank, f, p * rank, rank);
        }
        return new NormOrder(ids, bounds, f, rank, pos);
    }

    /** Σ_d v[o + d]², in double. */
    static double squaredNorm(float[] v, int o, int rank) {
        double s = 0;
        for (int d = 0; d < rank; d++) {
            s += (double) v[o + d] * v[o + d];
        }
        return s;
    }

    /** Number of present candidates. */
    int size() {
        return ids.length;
    }

    /**
     * The exclusion rows re-expressed in norm-order positions, ascending within each row (duplicates kept), absent
     * candidates dropped: what a {@link TopKCollector}'s cursor walks alongside the candidate blocks.
     */
    Csr exclusion(Csr exclude) {
        int rows = exclude.rows();
        int[] ptr = new int[rows + 1];
        int[] col = exclude.colIdx();
        for (int r = 0; r < rows; r++) {
            int cnt = 0;
            for (int p = exclude.rowStart(r); p < exclude.rowEnd(r); p++) {
                if (positionOf[col[p]] >= 0) {
                    cnt++;
                }
            }
            ptr[r + 1] = ptr[r] + cnt;
        }
        int[] idx = new int[ptr[rows]];
        for (int r = 0; r < rows; r++) {
            int at = ptr[r];
            for (int p = exclude.rowStart(r); p < exclude.rowEnd(r); p++) {
                int pos = positionOf[col[p]];
                if (pos >= 0) {
                    idx[at++] = pos;
                }
            }
            Arrays.sort(idx, ptr[r], at);
        }
        return new Csr(rows, size(), ptr, idx, new float[idx.length]);
    }
}
