package encore.bench.jmh;

import encore.matrix.Csr;

import java.util.SplittableRandom;

/**
 * The data of the row-solve benchmarks: rows whose entries are spread over a fixed side far larger than the caches
 * (as at Last.fm scale), and Gaussian factors.
 */
final class ScatteredRows {
    private ScatteredRows() {}

    /**
     * {@code rows} rows of {@code n} entries each over {@code srcRows} columns: entry q of a row in the q-th of n equal
     * column ranges (sorted, distinct), values 1 .. {@code maxValue}.
     */
    static Csr ratings(int rows, int srcRows, int n, int maxValue, SplittableRandom rnd) {
        int[] ptr = new int[rows + 1];
        int[] col = new int[rows * n];
        float[] val = new float[rows * n];
        int stride = srcRows / n;
        for (int r = 0; r < rows; r++) {
            ptr[r + 1] = ptr[r] + n;
            for (int q = 0; q < n; q++) {
                col[r * n + q] = q * stride + rnd.nextInt(stride);
                val[r * n + q] = 1 + rnd.nextInt(maxValue);
            }
        }
        return new Csr(rows, srcRows, ptr, col, val);
    }

    /** {@code length} values drawn from N(0, 0.1²). */
    static float[] factors(int length, SplittableRandom rnd) {
        float[] f = new float[length];
        for (int q = 0; q < f.length; q++) {
            f[q] = (float) (rnd.nextGaussian() * 0.1);
        }
        return f;
    }
}
