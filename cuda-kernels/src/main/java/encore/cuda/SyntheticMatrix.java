package encore.cuda;

import encore.matrix.Csr;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Random rating matrices for the GPU self-test and the device check's benchmarks, deterministic for a seed: row
 * lengths log-normal (a long tail and a few very long rows), columns drawn from a Zipf-like popularity
 * (col = ⌊cols · u^skew⌋), values 1 + a geometric play count.
 */
public final class SyntheticMatrix {
    private SyntheticMatrix() {}

    /**
     * A rows × cols matrix with about {@code nnz} entries (duplicates within a row are merged away, so slightly
     * fewer), columns ascending within rows.
     */
    public static Csr random(int rows, int cols, long nnz, double skew, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double mean = (double) nnz / rows;
        double sigma = 1.0;
        double mu = Math.log(mean) - sigma * sigma / 2;
        int[] len = new int[rows];
        long total = 0;
        for (int r = 0; r < rows; r++) {
            len[r] = (int) Math.max(1, Math.min(cols, Math.round(Math.exp(mu + sigma * rng.nextGaussian()))));
            total += len[r];
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many entries for one CSR: " + total);
        }
        int[] ptr = new int[rows + 1];
        int[] col = new int[(int) total];
        float[] val = new float[(int) total];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            int start = at;
            for (int j = 0; j < len[r]; j++) {
                col[at++] = (int) Math.min(cols - 1, (long) (cols * Math.pow(rng.nextDouble(), skew)));
            }
            Arrays.sort(col, start, at);
            int w = start;
            for (int q = start; q < at; q++) {
                if (q == start || col[q] != col[q - 1]) {
                    col[w] = col[q];
                    val[w] = 1 + (float) Math.floor(-Math.log(1 - rng.nextDouble()) * 3);
                    w++;
                }
            }
            at = w;
            ptr[r + 1] = at;
        }
        return new Csr(rows, cols, ptr, Arrays.copyOf(col, at), Arrays.copyOf(val, at));
    }
}
