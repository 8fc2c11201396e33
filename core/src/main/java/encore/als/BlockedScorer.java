package encore.als;

import encore.data.Csr;
import encore.util.Parallel;

import java.util.BitSet;

/**
 * Top-k for every query row by blocked dense scoring, never materialising the full score matrix: queries are taken
 * in blocks of {@value #QUERY_BLOCK} (one task each, balanced across threads), candidates in blocks of
 * {@value #CANDIDATE_BLOCK} so the candidate factors stay in cache while every query of the block is scored against
 * them. Per query, scores of a candidate block go into a small buffer, excluded (already seen) candidates are masked
 * via a cursor over the query's sorted CSR row, and a bounded {@link TopK} keeps the best k. Each query's result
 * depends only on its own data, so it is identical whatever the thread count.
 */
final class BlockedScorer {
    static final int QUERY_BLOCK = 64;
    static final int CANDIDATE_BLOCK = 2048;

    private BlockedScorer() {
    }

    /**
     * @param q        query factors, row-major, {@code nq × rank}
     * @param qHas     queries that have factors (others get no list)
     * @param c        candidate factors, row-major
     * @param cHas     candidates that have factors (others are never recommended)
     * @param nc       number of candidates
     * @param exclude  per query, candidates to skip (a queries × candidates CSR, columns ascending), or null
     * @param queries  the query rows to score, or null for all {@code nq}
     */
    static Recommendations topK(float[] q, BitSet qHas, int nq, float[] c, BitSet cHas, int nc, int rank, int k,
                                Csr exclude, int[] queries, int threads) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int rows = queries == null ? nq : queries.length;
        int kk = Math.min(k, Math.max(1, nc));
        int[] ids = new int[rows * kk];
        float[] scores = new float[rows * kk];
        int[] counts = new int[rows];
        int blocks = (rows + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forEachUnchecked(threads, blocks, b -> {
            float[] buf = new float[CANDIDATE_BLOCK];
            int[] cursor = new int[QUERY_BLOCK];
            TopK[] heaps = new TopK[QUERY_BLOCK];
            int from = b * QUERY_BLOCK;
            int to = Math.min(rows, from + QUERY_BLOCK);
            for (int r = from; r < to; r++) {
                heaps[r - from] = new TopK(kk);
                int row = queries == null ? r : queries[r];
                cursor[r - from] = exclude == null ? 0 : exclude.rowStart(row);
            }
            for (int c0 = 0; c0 < nc; c0 += CANDIDATE_BLOCK) {
                int c1 = Math.min(nc, c0 + CANDIDATE_BLOCK);
                for (int r = from; r < to; r++) {
                    int row = queries == null ? r : queries[r];
                    if (!qHas.get(row)) {
                        continue;
                    }
                    score(q, row * rank, c, c0, c1, rank, buf);
                    for (int j = c0; j < c1; j++) {
                        if (!cHas.get(j)) {
                            buf[j - c0] = Float.NaN;
                        }
                    }
                    if (exclude != null) {
                        int[] col = exclude.colIdx();
                        int cur = cursor[r - from];
                        int end = exclude.rowEnd(row);
                        while (cur < end && col[cur] < c1) {
                            if (col[cur] >= c0) {
                                buf[col[cur] - c0] = Float.NaN;
                            }
                            cur++;
                        }
                        cursor[r - from] = cur;
                    }
                    TopK h = heaps[r - from];
                    float th = h.threshold();
                    for (int j = c0; j < c1; j++) {
                        float s = buf[j - c0];
                        if (s >= th) { // false for NaN: masked candidates never enter
                            h.offer(j, s);
                            th = h.threshold();
                        }
                    }
                }
            }
            for (int r = from; r < to; r++) {
                counts[r] = heaps[r - from].drainSorted(ids, scores, r * kk);
            }
        });
        return new Recommendations(kk, ids, scores, counts);
    }

    /** buf[j - c0] = q[qo..qo+rank) · c[j·rank..], four candidates at a time for instruction-level parallelism. */
    private static void score(float[] q, int qo, float[] c, int c0, int c1, int rank, float[] buf) {
        int j = c0;
        for (; j + 3 < c1; j += 4) {
            int o0 = j * rank;
            int o1 = o0 + rank;
            int o2 = o1 + rank;
            int o3 = o2 + rank;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            for (int d = 0; d < rank; d++) {
                float x = q[qo + d];
                s0 += x * c[o0 + d];
                s1 += x * c[o1 + d];
                s2 += x * c[o2 + d];
                s3 += x * c[o3 + d];
            }
            buf[j - c0] = s0;
            buf[j - c0 + 1] = s1;
            buf[j - c0 + 2] = s2;
            buf[j - c0 + 3] = s3;
        }
        for (; j < c1; j++) {
            int o = j * rank;
            float s = 0;
            for (int d = 0; d < rank; d++) {
                s += q[qo + d] * c[o + d];
            }
            buf[j - c0] = s;
        }
    }
}
