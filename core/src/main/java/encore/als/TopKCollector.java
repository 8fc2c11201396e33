package encore.als;

/**
 * One query's top-k list, optionally without the candidates of an exclusion row: a bounded {@link TopK} (Spark's tie
 * rule: score descending, then candidate id descending) fed by {@link BlockedScoringPass}. The exclusion row is given
 * in norm-order positions, ascending ({@link NormOrder#exclusion}); a cursor walks it alongside the blocks, and the
 * candidates between two excluded positions are offered in one tight loop, so an excluded candidate is simply never
 * offered. Reusable: {@link #start} begins the next query.
 */
final class TopKCollector implements CandidateCollector {
    private static final int[] NONE = new int[0];

    private final TopK heap;
    private final int[] ids;
    private int[] excluded = NONE;
    private int cursor;
    private int end;

    /**
     * @param capacity the largest k this collector will serve
     * @param ids      norm-order position → candidate id ({@link NormOrder#ids()})
     */
    TopKCollector(int capacity, int[] ids) {
        this.heap = new TopK(capacity);
        this.ids = ids;
    }

    /** Begins a query that keeps every candidate. */
    void start(int k) {
        start(k, NONE, 0, 0);
    }

    /**
     * Begins a query that skips the norm-order positions {@code excluded[from … to)} (ascending, duplicates allowed).
     */
    void start(int k, int[] excluded, int from, int to) {
        heap.reset(k);
        this.excluded = excluded;
        this.cursor = from;
        this.end = to;
    }

    @Override
    public float minCompetitiveScore() {
        return heap.threshold();
    }

    @Override
    public void collect(float[] scores, int from, int width) {
        int to = from + width;
        int next = 0; // first block index not yet offered or skipped
        int cur = cursor;
        while (cur < end && excluded[cur] < to) {
            int skip = excluded[cur++] - from;
            if (skip >= next) { // below next: a duplicate, or a position of an earlier block
                offer(scores, from, next, skip);
                next = skip + 1;
            }
        }
        cursor = cur;
        offer(scores, from, next, width);
    }

    /** Offers block indices {@code [lo, hi)}; NaN scores never enter ({@code NaN >= t} is false). */
    private void offer(float[] scores, int from, int lo, int hi) {
        TopK h = heap;
        float th = h.threshold();
        for (int j = lo; j < hi; j++) {
            float s = scores[j];
            if (s >= th) {
                h.offer(ids[from + j], s);
                th = h.threshold();
            }
        }
    }

    /**
     * Writes the list best-first into {@code outIds}/{@code outScores} at {@code off}, emptying the collector.
     *
     * @return its length
     */
    int drainSorted(int[] outIds, float[] outScores, int off) {
        return heap.drainSorted(outIds, outScores, off);
    }
}
