package encore.cpu;

import java.util.BitSet;

/**
 * YᵀY of a block of factor rows with the Java Vector API, for {@link CpuAlsBackend#gram}: the rows are contiguous, so
 * they are widened {@value VectorCholeskyRow#CHUNK} at a time into a padded buffer and added by
 * {@link VectorDense#rankUpdate} (X_c = X, every weight 1), each element summing its rows in order. Loaded only
 * when {@link SimdKernels#available()}; agrees with the scalar sum to rounding.
 */
final class VectorGram {
    private VectorGram() {}

    /**
     * Σ y_r y_rᵀ over the rows r ∈ [from, to) of {@code y} (rank k, row-major) that are in {@code present} (null: all),
     * as a k × k row-major matrix, upper triangle set, the strict lower triangle zero.
     */
    static double[] block(float[] y, BitSet present, int from, int to, int k) {
        int kp = VectorCholeskyRow.stride(k);
        int chunk = VectorCholeskyRow.CHUNK;
        double[] a = new double[kp * kp];
        double[] x = new double[chunk * kp];
        int m = 0;
        for (int r = from; r < to; r++) {
            if (present != null && !present.get(r)) {
                continue;
            }
            int o = r * k;
            int t = m * kp;
            for (int d = 0; d < k; d++) {
                x[t + d] = y[o + d];
            }
            if (++m == chunk) {
                VectorDense.rankUpdate(a, kp, x, x, m, 0);
                m = 0;
            }
        }
        if (m > 0) {
            VectorDense.rankUpdate(a, kp, x, x, m, 0);
        }
        double[] g = new double[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(a, i * kp + i, g, i * k + i, k - i);
        }
        return g;
    }
}
