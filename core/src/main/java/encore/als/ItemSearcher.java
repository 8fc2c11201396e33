package encore.als;

import encore.matrix.Factors;

import java.util.Arrays;

/**
 * Top-k items for one query vector at a time — the serving path (fold-in users, single requests), where
 * {@link CpuTopKScorer}'s per-call set-up (sorting every candidate by norm, transposing blocks) would cost more than
 * the query. Built once per item-factor matrix and then read-only, so any number of threads may search at once.
 *
 * <p>The candidates are kept in descending-norm order ({@link NormOrder}), in blocks of {@value #BLOCK} stored one
 * array per dimension (so a block is scored as {@code rank} SIMD passes of {@code s[j] += x_d · y_d[j]}, summed over
 * d in the order of a plain dot product, hence scores equal {@link AlsModel#predict}'s bit for bit). By
 * Cauchy–Schwarz no candidate of a block scores above {@code ‖x‖·‖y_first‖}; both norms carry {@link NormOrder}'s
 * rounding margin, so the scan stops at the first block whose bound falls below the current k-th score without ever
 * changing a result. A small allow list (at most one candidate in {@value #SPARSE_CANDIDATES}) is scored directly,
 * candidate by candidate.
 *
 * <p>Lists follow the {@link TopKScorer} contract: the {@code min(k, allowed candidates)} best, score descending,
 * then item index descending; items without factors never appear.
 */
public final class ItemSearcher {
    /** Candidates per block: small enough for fine-grained early stops, large enough for long SIMD passes. */
    static final int BLOCK = 512;
    /** An allow list with at most one candidate in this many is scored candidate by candidate. */
    static final int SPARSE_CANDIDATES = 32;

    private final Factors items;
    private final int rank;
    private final int[] ids;
    private final float[] bounds;
    private final float[][][] blocks; // [block][dimension][candidate within the block]

    /** Indexes {@code items} (kept, not copied: a {@link Factors} handed over is never written again). */
    public ItemSearcher(Factors items) {
        NormOrder order = NormOrder.of(items);
        this.items = items;
        this.rank = items.rank();
        this.ids = order.ids();
        this.bounds = order.bounds();
        int n = ids.length;
        float[] f = order.factors();
        this.blocks = new float[(n + BLOCK - 1) / BLOCK][][];
        for (int b = 0; b < blocks.length; b++) {
            int c0 = b * BLOCK;
            int width = Math.min(n, c0 + BLOCK) - c0;
            float[][] t = new float[rank][width];
            for (int j = 0; j < width; j++) {
                int o = (c0 + j) * rank;
                for (int d = 0; d < rank; d++) {
                    t[d][j] = f[o + d];
                }
            }
            blocks[b] = t;
        }
    }

    /** The rank of the indexed factors. */
    public int rank() {
        return rank;
    }

    /** The number of items with factors (the most a list can hold). */
    public int size() {
        return ids.length;
    }

    /**
     * The best {@code k} items for {@code query} that {@code filter} allows and that are not in {@code excluded}.
     *
     * @param query    a vector of length {@link #rank()}
     * @param k        the list length, ≥ 1
     * @param filter   allow/deny lists
     * @param excluded further item indices to leave out, ascending (e.g. the user's own plays), or null
     */
    public RankedItems search(float[] query, int k, ItemFilter filter, int[] excluded) {
        if (query.length != rank) {
            throw new IllegalArgumentException("query has " + query.length + " values, expected rank " + rank);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        TopK top = new TopK(Math.min(k, Math.max(1, ids.length)));
        if (filter.hasCandidates() && (long) filter.candidateCount() * SPARSE_CANDIDATES <= ids.length) {
            scoreCandidates(query, filter, excluded, top);
        } else {
            scan(query, filter, excluded, top);
        }
        int[] outIds = new int[top.size()];
        float[] outScores = new float[top.size()];
        top.drainSorted(outIds, outScores, 0);
        return new RankedItems(outIds, outScores);
    }

    /** Every block in norm order until no later candidate can enter the list. */
    private void scan(float[] x, ItemFilter filter, int[] excluded, TopK top) {
        float qBound = (float) (Math.sqrt(squaredNorm(x)) * NormOrder.BOUND_MARGIN);
        float[] s = new float[BLOCK];
        for (int b = 0; b < blocks.length; b++) {
            int c0 = b * BLOCK;
            float threshold = top.threshold();
            if (qBound * bounds[c0] < threshold) {
                return;
            }
            float[][] t = blocks[b];
            int width = t[0].length;
            score(x, t, s, width);
            for (int j = 0; j < width; j++) {
                float v = s[j];
                if (!(v < threshold)) {
                    int id = ids[c0 + j];
                    if (filter.allows(id) && !contains(excluded, id)) {
                        top.offer(id, v);
                        threshold = top.threshold();
                    }
                }
            }
        }
    }

    /** s[j] = Σ_d x_d · t[d][j], summed over d in order (as a plain dot product). */
    private static void score(float[] x, float[][] t, float[] s, int width) {
        float[] col = t[0];
        float x0 = x[0];
        for (int j = 0; j < width; j++) {
            s[j] = 0f + x0 * col[j];
        }
        for (int d = 1; d < x.length; d++) {
            col = t[d];
            float xd = x[d];
            for (int j = 0; j < width; j++) {
                s[j] += xd * col[j];
            }
        }
    }

    /** The allow list's candidates one by one (a short list: cheaper than any scan). */
    private void scoreCandidates(float[] x, ItemFilter filter, int[] excluded, TopK top) {
        float[] f = items.data();
        for (int id = filter.nextCandidate(0); id >= 0 && id < items.rows(); id = filter.nextCandidate(id + 1)) {
            if (items.has(id) && filter.allows(id) && !contains(excluded, id)) {
                int o = id * rank;
                float v = 0f;
                for (int d = 0; d < rank; d++) {
                    v += x[d] * f[o + d];
                }
                top.offer(id, v);
            }
        }
    }

    private static boolean contains(int[] sorted, int id) {
        return sorted != null && Arrays.binarySearch(sorted, id) >= 0;
    }

    private static double squaredNorm(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return s;
    }
}
