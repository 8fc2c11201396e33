package encore.als;

import encore.internal.Parallel;
import encore.matrix.Csr;

import java.util.BitSet;

/**
 * The pre-refactor CPU top-k code (the static {@code BlockedScorer.topK} of commit c8cc8ec, with its
 * {@code alsoUnexcluded} flag), kept verbatim in the test sources as an oracle: {@link CpuTopKScorerPropertyTest}
 * asserts that {@link CpuTopKScorer} returns bit-identical lists (ids, float scores, order, counts, k). Test-only; do
 * not use or extend it — it exists so that the collector-based rewrite can be proven equal to what it replaced.
 */
final class LegacyBlockedScorer {
    static final int QUERY_BLOCK = 64;
    static final int CANDIDATE_BLOCK = 2048;
    private static final double BOUND_MARGIN = 1 + 1e-4;

    private LegacyBlockedScorer() {}

    /**
     * @param q        query factors, row-major, {@code nq × rank}
     * @param qHas     queries that have factors (others get no list)
     * @param c        candidate factors, row-major
     * @param cHas     candidates that have factors (others are never recommended)
     * @param nc       number of candidates
     * @param exclude  per query, candidates to skip (a queries × candidates CSR, columns ascending), or null
     * @param queries  the query rows to score, or null for all {@code nq}
     */
    static Recommendations topK(
            float[] q,
            BitSet qHas,
            int nq,
            float[] c,
            BitSet cHas,
            int nc,
            int rank,
            int k,
            Csr exclude,
            int[] queries,
            int threads) {
        return topK(q, qHas, nq, c, cHas, nc, rank, k, exclude, false, queries, threads)[0];
    }

    /** Candidates with factors in descending-norm order: their original ids, norms and factors (row-major). */
    private record NormOrder(int[] ids, float[] norms, float[] factors, int[] positionOf) {
        static NormOrder of(float[] c, BitSet cHas, int nc, int rank) {
            int n = cHas.cardinality();
            long[] keyed = new long[n];
            double[] norm = new double[nc];
            int at = 0;
            for (int j = cHas.nextSetBit(0); j >= 0 && j < nc; j = cHas.nextSetBit(j + 1)) {
                double s = 0;
                for (int d = 0, o = j * rank; d < rank; d++) {
                    s += (double) c[o + d] * c[o + d];
                }
                norm[j] = Math.sqrt(s);
                // descending norm: sort ascending on the bit pattern of (−norm) mapped to an ordered int, then id
                int bits = Float.floatToIntBits((float) norm[j]);
                keyed[at++] = ((long) (Integer.MAX_VALUE - bits) << 32) | j;
            }
            java.util.Arrays.sort(keyed);
            int[] ids = new int[n];
            float[] norms = new float[n];
            float[] f = new float[n * rank];
            int[] pos = new int[nc];
            java.util.Arrays.fill(pos, -1);
            for (int p = 0; p < n; p++) {
                int j = (int) keyed[p];
                ids[p] = j;
                pos[j] = p;
                norms[p] = (float) (norm[j] * BOUND_MARGIN) + Float.MIN_NORMAL;
                System.arraycopy(c, j * rank, f, p * rank, rank);
            }
            return new NormOrder(ids, norms, f, pos);
        }
    }

    /** The exclusion rows re-expressed in norm-order positions (ascending), cold candidates dropped. */
    private static Csr permuteExclusion(Csr exclude, int[] positionOf, int n) {
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
            java.util.Arrays.sort(idx, ptr[r], at);
        }
        return new Csr(rows, n, ptr, idx, new float[idx.length]);
    }

    /**
     * As above; with {@code alsoUnexcluded} a second result holds the lists without the exclusion, from the same
     * scores (one scoring pass for both).
     */
    static Recommendations[] topK(
            float[] q,
            BitSet qHas,
            int nq,
            float[] c,
            BitSet cHas,
            int nc,
            int rank,
            int k,
            Csr exclude,
            boolean alsoUnexcluded,
            int[] queries,
            int threads) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        boolean both = alsoUnexcluded && exclude != null;
        int rows = queries == null ? nq : queries.length;
        int kk = Math.min(k, Math.max(1, nc));
        int[] ids = new int[rows * kk];
        float[] scores = new float[rows * kk];
        int[] counts = new int[rows];
        int[] ids2 = both ? new int[rows * kk] : null;
        float[] scores2 = both ? new float[rows * kk] : null;
        int[] counts2 = both ? new int[rows] : null;
        NormOrder order = NormOrder.of(c, cHas, nc, rank);
        int n = order.ids().length;
        Csr excl = exclude == null ? null : permuteExclusion(exclude, order.positionOf(), n);
        float[] cf = order.factors();
        float[] cNorm = order.norms();
        int[] cId = order.ids();
        int blocks = (rows + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forEachUnchecked(threads, blocks, b -> {
            float[][] bufs = new float[4][CANDIDATE_BLOCK];
            int[] group = new int[4];
            float[][] cT = new float[rank][CANDIDATE_BLOCK];
            int[] cursor = new int[QUERY_BLOCK];
            float[] qNorm = new float[QUERY_BLOCK];
            boolean[] active = new boolean[QUERY_BLOCK];
            TopK[] heaps = new TopK[QUERY_BLOCK];
            TopK[] heaps2 = both ? new TopK[QUERY_BLOCK] : null;
            int from = b * QUERY_BLOCK;
            int to = Math.min(rows, from + QUERY_BLOCK);
            int live = 0;
            for (int r = from; r < to; r++) {
                heaps[r - from] = new TopK(kk);
                if (both) {
                    heaps2[r - from] = new TopK(kk);
                }
                int row = queries == null ? r : queries[r];
                cursor[r - from] = excl == null ? 0 : excl.rowStart(row);
                active[r - from] = qHas.get(row);
                if (active[r - from]) {
                    live++;
                    double s = 0;
                    for (int d = 0, o = row * rank; d < rank; d++) {
                        s += (double) q[o + d] * q[o + d];
                    }
                    qNorm[r - from] = (float) (Math.sqrt(s) * BOUND_MARGIN);
                }
            }
            for (int c0 = 0; c0 < n && live > 0; c0 += CANDIDATE_BLOCK) {
                int c1 = Math.min(n, c0 + CANDIDATE_BLOCK);
                int width = c1 - c0;
                // retire queries that no candidate from here on can reach
                float maxNorm = cNorm[c0];
                for (int r = from; r < to; r++) {
                    int i = r - from;
                    if (active[i]) {
                        float th = heaps[i].threshold();
                        if (both) {
                            th = Math.min(th, heaps2[i].threshold());
                        }
                        if (qNorm[i] * maxNorm < th) {
                            active[i] = false;
                            live--;
                        }
                    }
                }
                if (live == 0) {
                    break;
                }
                transpose(cf, c0, c1, rank, cT);
                int r = from;
                while (r < to) {
                    int g = 0;
                    while (g < 4 && r < to) {
                        if (active[r - from]) {
                            group[g++] = r;
                        }
                        r++;
                    }
                    if (g == 0) {
                        break;
                    }
                    for (int pad = g; pad < 4; pad++) {
                        group[pad] = group[0]; // score the first again, ignore the result
                    }
                    score4(q, rank, queries, group, cT, width, bufs);
                    for (int m = 0; m < g; m++) {
                        int rr = group[m];
                        int i = rr - from;
                        float[] buf = bufs[m];
                        if (both) {
                            offerAll(heaps2[i], buf, cId, c0, width);
                        }
                        if (excl != null) {
                            int row = queries == null ? rr : queries[rr];
                            int[] col = excl.colIdx();
                            int cur = cursor[i];
                            int end = excl.rowEnd(row);
                            while (cur < end && col[cur] < c1) {
                                if (col[cur] >= c0) {
                                    buf[col[cur] - c0] = Float.NaN;
                                }
                                cur++;
                            }
                            cursor[i] = cur;
                        }
                        offerAll(heaps[i], buf, cId, c0, width);
                    }
                }
            }
            for (int r = from; r < to; r++) {
                counts[r] = heaps[r - from].drainSorted(ids, scores, r * kk);
                if (both) {
                    counts2[r] = heaps2[r - from].drainSorted(ids2, scores2, r * kk);
                }
            }
        });
        Recommendations main = new Recommendations(kk, ids, scores, counts);
        return both
                ? new Recommendations[] {main, new Recommendations(kk, ids2, scores2, counts2)}
                : new Recommendations[] {main};
    }

    /** Offers the block's scores; {@code cId} maps norm-order positions back to candidate ids. */
    private static void offerAll(TopK h, float[] buf, int[] cId, int c0, int width) {
        float th = h.threshold();
        for (int j = 0; j < width; j++) {
            float s = buf[j];
            if (s >= th) { // false for NaN: masked candidates never enter
                h.offer(cId[c0 + j], s);
                th = h.threshold();
            }
        }
    }

    /** cT[d][j] = c[(c0 + j)·rank + d]: the candidate block dimension-major, so scoring runs along j. */
    private static void transpose(float[] c, int c0, int c1, int rank, float[][] cT) {
        int width = c1 - c0;
        for (int j = 0; j < width; j++) {
            int o = (c0 + j) * rank;
            for (int d = 0; d < rank; d++) {
                cT[d][j] = c[o + d];
            }
        }
    }

    /**
     * bufs[g][j] = Σ_d q[row_g·rank + d] · cT[d][j] for four query rows at once (rows of {@code group}, mapped through
     * {@code queries}), accumulated over d in order 0..rank−1 exactly like a plain dot product (so scores equal
     * {@link AlsModel#predict}'s), but as {@code rank} passes of {@code buf[j] += x · col[j]} along contiguous arrays,
     * which the JIT turns into SIMD instructions; one load of each column value feeds four multiply-adds. (One array
     * per dimension matters: with an offset into a shared array, {@code buf[j] += x * c[base + j]}, C2 cannot rule out
     * overlap and emits scalar code, ten times slower.)
     */
    private static void score4(
            float[] q, int rank, int[] queries, int[] group, float[][] cT, int width, float[][] bufs) {
        int o0 = (queries == null ? group[0] : queries[group[0]]) * rank;
        int o1 = (queries == null ? group[1] : queries[group[1]]) * rank;
        int o2 = (queries == null ? group[2] : queries[group[2]]) * rank;
        int o3 = (queries == null ? group[3] : queries[group[3]]) * rank;
        float[] b0 = bufs[0];
        float[] b1 = bufs[1];
        float[] b2 = bufs[2];
        float[] b3 = bufs[3];
        float[] col = cT[0];
        float x0 = q[o0];
        float x1 = q[o1];
        float x2 = q[o2];
        float x3 = q[o3];
        for (int j = 0; j < width; j++) {
            float v = col[j];
            b0[j] = 0f + x0 * v;
            b1[j] = 0f + x1 * v;
            b2[j] = 0f + x2 * v;
            b3[j] = 0f + x3 * v;
        }
        for (int d = 1; d < rank; d++) {
            col = cT[d];
            x0 = q[o0 + d];
            x1 = q[o1 + d];
            x2 = q[o2 + d];
            x3 = q[o3 + d];
            for (int j = 0; j < width; j++) {
                float v = col[j];
                b0[j] += x0 * v;
                b1[j] += x1 * v;
                b2[j] += x2 * v;
                b3[j] += x3 * v;
            }
        }
    }
}
