package encore.als;

import encore.matrix.Factors;

/**
 * Scores a block of queries against every candidate, block by block in descending-norm order, and feeds each query's
 * scores to its {@link CandidateCollector}s; one instance per worker thread, reused for every query block (all scratch
 * is allocated once).
 *
 * <p><b>Early stop.</b> Every later candidate {@code y} has {@code ‖y‖ ≤ bound(first of the block)}, and by
 * Cauchy–Schwarz scores at most {@code ‖x‖·‖y‖}. Both norms carry the relative margin of {@link NormOrder} (10⁻⁴,
 * against a float-rounding error of at most rank·2⁻²⁴ ≤ 6·10⁻⁵ at rank 1024), so once
 * {@code ‖x‖·(1 + 10⁻⁴) · bound < minCompetitiveScore} for <em>every</em> collector of the query, no later candidate
 * can enter any of its lists, and the query stops. Pruning therefore never changes a result.
 *
 * <p><b>Scoring.</b> Each candidate block is transposed to one array per dimension; four queries share each pass over
 * it ({@link #score4}).
 */
final class BlockedScoringPass {
    static final int CANDIDATE_BLOCK = 2048;

    private final float[] q;
    private final int rank;
    private final float[] cf;
    private final float[] cBound;
    private final int n;
    private final float[][] cT;
    private final float[][] bufs = new float[4][CANDIDATE_BLOCK];
    private final int[] group = new int[4];
    // per query slot
    private final int[] offset;
    private final float[] bound;
    private final boolean[] active;
    private final CandidateCollector[][] collectors;
    private int size;
    private int live;

    /** A pass over {@code order}'s candidates for up to {@code slots} queries of {@code queries} at a time. */
    BlockedScoringPass(Factors queries, NormOrder order, int slots) {
        this.q = queries.data();
        this.rank = queries.rank();
        this.cf = order.factors();
        this.cBound = order.bounds();
        this.n = order.size();
        this.cT = new float[rank][CANDIDATE_BLOCK];
        this.offset = new int[slots];
        this.bound = new float[slots];
        this.active = new boolean[slots];
        this.collectors = new CandidateCollector[slots][];
    }

    /** Forgets the queries of the previous block. */
    void clear() {
        size = 0;
    }

    /** Adds query row {@code row} (which must have factors), to be fed to {@code to}. */
    void add(int row, CandidateCollector[] to) {
        int o = row * rank;
        offset[size] = o;
        bound[size] = (float) (Math.sqrt(NormOrder.squaredNorm(q, o, rank)) * NormOrder.BOUND_MARGIN);
        active[size] = true;
        collectors[size] = to;
        size++;
    }

    /** Scores the queries added since {@link #clear()} until each has stopped or every candidate was seen. */
    void run() {
        live = size;
        for (int c0 = 0; c0 < n && live > 0; c0 += CANDIDATE_BLOCK) {
            int width = Math.min(n, c0 + CANDIDATE_BLOCK) - c0;
            retireUnreachable(cBound[c0]);
            if (live == 0) {
                break;
            }
            transpose(c0, width);
            scoreActive(c0, width);
        }
    }

    /** Stops the queries that no candidate of norm bound ≤ {@code maxNorm} can improve. */
    private void retireUnreachable(float maxNorm) {
        for (int i = 0; i < size; i++) {
            if (active[i] && !reachable(collectors[i], bound[i] * maxNorm)) {
                active[i] = false;
                live--;
            }
        }
    }

    /** Whether some collector could still accept a score of {@code best} (false only below every threshold). */
    private static boolean reachable(CandidateCollector[] cs, float best) {
        for (CandidateCollector c : cs) {
            if (!(best < c.minCompetitiveScore())) {
                return true;
            }
        }
        return false;
    }

    /** Scores the active queries, four at a time in slot order, on candidates {@code c0 … c0 + width − 1}. */
    private void scoreActive(int c0, int width) {
        int i = 0;
        while (i < size) {
            int g = 0;
            while (g < 4 && i < size) {
                if (active[i]) {
                    group[g++] = i;
                }
                i++;
            }
            if (g == 0) {
                break;
            }
            for (int pad = g; pad < 4; pad++) {
                group[pad] = group[0]; // score the first again, ignore the result
            }
            score4(width);
            for (int m = 0; m < g; m++) {
                for (CandidateCollector c : collectors[group[m]]) {
                    c.collect(bufs[m], c0, width);
                }
            }
        }
    }

    /** cT[d][j] = cf[(c0 + j)·rank + d]: the candidate block dimension-major, so scoring runs along j. */
    private void transpose(int c0, int width) {
        for (int j = 0; j < width; j++) {
            int o = (c0 + j) * rank;
            for (int d = 0; d < rank; d++) {
                cT[d][j] = cf[o + d];
            }
        }
    }

    /**
     * bufs[g][j] = Σ_d q[offset_g + d] · cT[d][j] for the four query slots of {@code group} at once, accumulated over
     * d in order 0..rank−1 exactly like a plain dot product (so scores equal {@link AlsModel#predict}'s), but as
     * {@code rank} passes of {@code buf[j] += x · col[j]} along contiguous arrays, which the JIT turns into SIMD
     * instructions; one load of each column value feeds four multiply-adds. (One array per dimension matters: with an
     * offset into a shared array, {@code buf[j] += x * c[base + j]}, C2 cannot rule out overlap and emits scalar code,
     * ten times slower.)
     */
    private void score4(int width) {
        int o0 = offset[group[0]];
        int o1 = offset[group[1]];
        int o2 = offset[group[2]];
        int o3 = offset[group[3]];
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
