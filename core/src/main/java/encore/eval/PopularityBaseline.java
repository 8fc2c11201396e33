package encore.eval;

import encore.matrix.Csr;

import java.util.Arrays;

/**
 * The most-popular baseline. popularity(i) = number of distinct training users with a stored entry for item i
 * (whatever its value); items are ranked by popularity descending, ties by lower item index first. Every item is
 * ranked, including items nobody played (popularity 0, at the end). A user's recommendations are the first k items of
 * that ranking, optionally skipping the items in the user's training row.
 *
 * <p>Immutable after construction and safe to share between threads.
 */
public final class PopularityBaseline {
    private final Csr train;
    private final int[] popularity;
    private final int[] ranking;

    /**
     * Counts item popularity in O(nnz) and ranks all {@code trainUserItems.cols()} items.
     *
     * @param trainUserItems users × items training matrix; kept (not copied) for excludeSeen
     */
    public PopularityBaseline(Csr trainUserItems) {
        this.train = trainUserItems;
        int items = trainUserItems.cols();
        int[] pop = new int[items];
        int[] cols = trainUserItems.colIdx();
        for (int u = 0, rows = trainUserItems.rows(); u < rows; u++) {
            int prev = -1;
            for (int p = trainUserItems.rowStart(u), e = trainUserItems.rowEnd(u); p < e; p++) {
                int c = cols[p];
                if (c != prev) { // columns ascend within a row, so a repeated column is adjacent
                    pop[c]++;
                    prev = c;
                }
            }
        }
        this.popularity = pop;
        // sort key: popularity descending, then item ascending; both fit in 32 bits
        long[] keys = new long[items];
        for (int i = 0; i < items; i++) {
            keys[i] = ((long) (Integer.MAX_VALUE - pop[i]) << 32) | i;
        }
        Arrays.sort(keys);
        int[] r = new int[items];
        for (int i = 0; i < items; i++) {
            r[i] = (int) keys[i];
        }
        this.ranking = r;
    }

    /** All items, most popular first (ties: lower index first). A copy. */
    public int[] ranking() {
        return ranking.clone();
    }

    /** popularity(item) = number of distinct training users of the item. */
    public int popularity(int item) {
        return popularity[item];
    }

    /**
     * The first min(k, available) items of {@link #ranking()}; with {@code excludeSeen}, items in the user's training
     * row are skipped (a user who has seen every item gets an empty list). O((k + s) log s) for s seen items.
     *
     * @throws IllegalArgumentException if k &lt; 0 or the user is not a row of the training matrix
     */
    public int[] recommend(int user, int k, boolean excludeSeen) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be non-negative, got " + k);
        }
        if (user < 0 || user >= train.rows()) {
            throw new IllegalArgumentException("user " + user + " outside [0, " + train.rows() + ")");
        }
        if (!excludeSeen || train.rowLength(user) == 0) {
            return Arrays.copyOf(ranking, Math.min(k, ranking.length));
        }
        int[] cols = train.colIdx();
        int lo = train.rowStart(user);
        int hi = train.rowEnd(user);
        int[] out = new int[Math.min(k, ranking.length)];
        int w = 0;
        for (int i = 0; i < ranking.length && w < out.length; i++) {
            int item = ranking[i];
            if (Arrays.binarySearch(cols, lo, hi, item) < 0) {
                out[w++] = item;
            }
        }
        return w == out.length ? out : Arrays.copyOf(out, w);
    }

    /** {@link #recommend(int, int, boolean)} for every user row, in row order; each list is its own array. */
    public int[][] recommendAll(int k, boolean excludeSeen) {
        int[][] out = new int[train.rows()][];
        for (int u = 0; u < out.length; u++) {
            out[u] = recommend(u, k, excludeSeen);
        }
        return out;
    }
}
