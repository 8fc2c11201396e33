package encore.cpu;

/**
 * Starts the cache misses of a row's gather early. A row's entries point at rows of the fixed side's factor matrix
 * scattered over tens of MB; the gather that copies them reads each in full (k floats) and does arithmetic on the
 * way, so the out-of-order window holds about one factor row and the misses come one row after another. Reading first
 * one float per cache line of every row of a chunk — a short loop of independent loads — keeps dozens of misses in
 * flight; the gather then finds the lines in cache. No result depends on it.
 *
 * <p>One instance per row solver (not thread-safe): it keeps what it read, so the loads are not optimised away.
 */
final class FactorTouch {
    /** Floats per 64-byte cache line. */
    private static final int LINE = 16;

    /** The sum of every value read: kept in a field so that the JIT cannot drop the loads. */
    private float sink;

    /**
     * Loads one float of each cache line of the factor rows {@code cols[from .. to)} (rank k, row-major in
     * {@code src}).
     */
    void lines(float[] src, int[] cols, int from, int to, int k) {
        float s = sink;
        for (int q = from; q < to; q++) {
            int o = cols[q] * k;
            for (int d = 0; d < k; d += LINE) {
                s += src[o + d];
            }
            s += src[o + k - 1];
        }
        sink = s;
    }
}
