package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Seeded random cases for {@link CpuTopKScorer}: ranks 1…70; factor styles with norms over orders of magnitude (much
 * pruning), small integers (exact score ties between different vectors) and unit Gaussians; duplicated candidate and
 * query rows, zero vectors, absent rows (some holding stale values); k from 1 to beyond the candidate count; no, light
 * and heavy exclusions with duplicates and absent candidates; a {@code rows} subset with repeats and absent rows; 1, 2
 * and 8 threads. Every list must equal, bit for bit (ids, float scores, order, counts, k), both a brute-force reference
 * written out plainly below and the pre-refactor code kept as {@link LegacyBlockedScorer}.
 *
 * <p>The reference scores each candidate as the scorer is specified to: the float dot product accumulated in
 * dimension order ({@code s = 0f; s += x_d·y_d}), then orders by score descending and candidate index descending.
 */
class CpuTopKScorerPropertyTest {
    private static final int[] THREADS = {1, 2, 8};

    /** One random input: query and candidate factors (presence included), k, exclusion (or null), rows (or null). */
    private record Case(long seed, Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        @Override
        public String toString() {
            return "seed " + seed + ": " + queries + " × " + candidates + ", k " + k + ", exclude "
                    + (exclude == null ? "none" : exclude.nnz() + " entries") + ", rows "
                    + (rows == null ? "all" : rows.length + " listed");
        }
    }

    @Test
    void smallCasesEqualReferenceAndLegacy() {
        for (long seed = 1; seed <= 400; seed++) {
            check(randomCase(seed, 40, 300, false));
        }
    }

    @Test
    void multiBlockCasesEqualReferenceAndLegacy() {
        for (long seed = 1001; seed <= 1024; seed++) {
            check(randomCase(seed, 200, 7000, false));
        }
    }

    /**
     * Queries parallel to every candidate, so the best scores equal the Cauchy–Schwarz bound up to rounding, and runs
     * of equal norms and equal scores spanning the candidate block edges, where only the index decides: the early stop
     * must not cut a tie short (this is what the bound's margin is for), with or without the best candidates excluded.
     */
    @Test
    void parallelFactorsAcrossBlockEdges() {
        int nc = 2 * BlockedScoringPass.CANDIDATE_BLOCK + 17;
        long seed = 3001;
        for (int rank : new int[] {1, 2, 3, 8, 33, 70}) {
            for (boolean powersOfTwo : new boolean[] {false, true}) {
                SplittableRandom rnd = new SplittableRandom(seed);
                float[] base = new float[rank];
                for (int d = 0; d < rank; d++) {
                    base[d] = (float) rnd.nextGaussian();
                }
                float[] q = new float[6 * rank];
                float[] scale = {1, 2, -1, 0.5f, 0};
                for (int i = 0; i < scale.length; i++) { // row 5 stays absent
                    for (int d = 0; d < rank; d++) {
                        q[i * rank + d] = scale[i] * base[d];
                    }
                }
                BitSet qHas = new BitSet();
                qHas.set(0, 5);
                float[] c = new float[nc * rank];
                BitSet cHas = new BitSet();
                for (int j = 0; j < nc; j++) {
                    float s = powersOfTwo ? Math.scalb(1f, j % 3 - 1) : 1f;
                    for (int d = 0; d < rank; d++) {
                        c[j * rank + d] = s * base[d];
                    }
                    if (j % 101 != 100) {
                        cHas.set(j);
                    }
                }
                Factors queries = Factors.wrap(q, 6, rank, qHas);
                Factors candidates = Factors.wrap(c, nc, rank, cHas);
                // each query's 1400 best: with powers of two, its first norm group and a little of the next, so
                // the list with the exclusion takes its tie winners from block 1, the one without is done after block 0
                int[] r = new int[5 * 1400];
                int[] col = new int[r.length];
                for (int i = 0; i < 5; i++) {
                    Arrays.fill(r, i * 1400, (i + 1) * 1400, i);
                    System.arraycopy(ranked(queries, i, candidates, null, 1400), 0, col, i * 1400, 1400);
                }
                Csr seen = Csr.fromCoordinates(6, nc, r, col, new float[r.length]);
                for (int k : new int[] {1, 7, 2049}) {
                    check(new Case(seed++, queries, candidates, k, null, null));
                    check(new Case(seed++, queries, candidates, k, seen, k == 7 ? new int[] {3, 0, 5, 0} : null));
                }
            }
        }
    }

    /** NaN and infinite factors: no reference order is specified, but the result must not change. */
    @Test
    void nonFiniteFactorsEqualLegacy() {
        for (long seed = 2001; seed <= 2100; seed++) {
            Case c = randomCase(seed, 40, 300, true);
            for (int threads : THREADS) {
                assertEqualsLegacy(c, threads);
            }
        }
    }

    /** The new code against the reference (one thread count) and against the legacy code (every thread count). */
    private static void check(Case c) {
        int[] rows = c.rows();
        int n = rows == null ? c.queries().rows() : rows.length;
        Recommendations got = new CpuTopKScorer(THREADS[0]).topK(c.queries(), c.candidates(), c.k(), c.exclude(), rows);
        assertEquals(n, got.rows(), c.toString());
        for (int r = 0; r < n; r++) {
            assertEqualsReference(c, rows == null ? r : rows[r], c.exclude(), got, r, "topK");
        }
        if (c.exclude() != null) {
            Recommendations[] both = new CpuTopKScorer(THREADS[0])
                    .topKWithAndWithoutExclusion(c.queries(), c.candidates(), c.k(), c.exclude());
            for (int r = 0; r < c.queries().rows(); r++) {
                assertEqualsReference(c, r, c.exclude(), both[0], r, "with exclusion");
                assertEqualsReference(c, r, null, both[1], r, "without exclusion");
            }
        }
        for (int threads : THREADS) {
            assertEqualsLegacy(c, threads);
        }
    }

    /** Both entry points against the legacy code. */
    private static void assertEqualsLegacy(Case c, int threads) {
        Factors q = c.queries();
        Factors y = c.candidates();
        CpuTopKScorer scorer = new CpuTopKScorer(threads);
        Recommendations got = scorer.topK(q, y, c.k(), c.exclude(), c.rows());
        Recommendations want = LegacyBlockedScorer.topK(
                q.data(),
                q.present(),
                q.rows(),
                y.data(),
                y.present(),
                y.rows(),
                q.rank(),
                c.k(),
                c.exclude(),
                c.rows(),
                1);
        assertIdentical(want, got, c + ", topK, threads " + threads);
        Recommendations[] both = scorer.topKWithAndWithoutExclusion(q, y, c.k(), c.exclude());
        Recommendations[] legacy = LegacyBlockedScorer.topK(
                q.data(),
                q.present(),
                q.rows(),
                y.data(),
                y.present(),
                y.rows(),
                q.rank(),
                c.k(),
                c.exclude(),
                true,
                null,
                1);
        assertEquals(2, both.length);
        assertIdentical(legacy[0], both[0], c + ", with exclusion, threads " + threads);
        if (c.exclude() == null) {
            assertEquals(1, legacy.length);
            assertSame(both[0], both[1], c.toString());
        } else {
            assertIdentical(legacy[1], both[1], c + ", without exclusion, threads " + threads);
        }
    }

    private static void assertIdentical(Recommendations want, Recommendations got, String what) {
        assertEquals(want.k(), got.k(), what + ": k");
        assertEquals(want.rows(), got.rows(), what + ": rows");
        for (int r = 0; r < want.rows(); r++) {
            assertArrayEquals(want.ids(r), got.ids(r), what + ": ids of row " + r);
            assertArrayEquals(bits(want.scores(r)), bits(got.scores(r)), what + ": scores of row " + r);
        }
    }

    /** Result row {@code r} (query {@code row}) against the brute-force top-k. */
    private static void assertEqualsReference(Case c, int row, Csr exclude, Recommendations got, int r, String what) {
        int[] want = reference(c, row, exclude);
        String msg = c + ", " + what + ", query " + row;
        assertArrayEquals(want, got.ids(r), msg + ": ids");
        float[] scores = new float[want.length];
        for (int t = 0; t < want.length; t++) {
            scores[t] = dot(c.queries(), row, c.candidates(), want[t]);
        }
        assertArrayEquals(bits(scores), bits(got.scores(r)), msg + ": scores");
    }

    /** Score every present, non-excluded candidate; sort by (score desc, index desc); keep the first k. */
    private static int[] reference(Case c, int row, Csr exclude) {
        return ranked(c.queries(), row, c.candidates(), exclude, c.k());
    }

    /** The first {@code limit} present candidates not in {@code exclude}'s row, in the specified order. */
    private static int[] ranked(Factors q, int row, Factors y, Csr exclude, int limit) {
        if (!q.has(row)) {
            return new int[0];
        }
        BitSet skip = new BitSet();
        if (exclude != null) {
            for (int p = exclude.rowStart(row); p < exclude.rowEnd(row); p++) {
                skip.set(exclude.colIdx()[p]);
            }
        }
        long[] keyed = new long[y.rows()];
        int m = 0;
        for (int j = 0; j < y.rows(); j++) {
            if (y.has(j) && !skip.get(j)) {
                keyed[m++] = ((long) orderedBits(dot(q, row, y, j)) << 32) | j; // ascending: score, then index
            }
        }
        Arrays.sort(keyed, 0, m);
        int[] out = new int[Math.min(limit, m)];
        for (int t = 0; t < out.length; t++) {
            out[t] = (int) keyed[m - 1 - t];
        }
        return out;
    }

    /** The scorer's score: the float dot product, accumulated in dimension order. */
    private static float dot(Factors q, int row, Factors y, int j) {
        float s = 0;
        for (int d = 0; d < q.rank(); d++) {
            s += q.get(row, d) * y.get(j, d);
        }
        return s;
    }

    /** An int whose signed order is the float order, with −0 equal to +0 (as the scorer's comparisons treat them). */
    private static int orderedBits(float f) {
        int b = Float.floatToIntBits(f + 0f);
        return b >= 0 ? b : b ^ Integer.MAX_VALUE;
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    // ---- random cases

    private static Case randomCase(long seed, int maxQueries, int maxCandidates, boolean nonFinite) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
        int rank = 1 + rnd.nextInt(70);
        int nq = rnd.nextInt(8) == 0 ? rnd.nextInt(3) : 1 + rnd.nextInt(maxQueries);
        int nc = rnd.nextInt(8) == 0 ? rnd.nextInt(3) : maxCandidates / 4 + rnd.nextInt(3 * maxCandidates / 4);
        float[] base = new float[rank]; // styles 3 and 4: queries and candidates parallel, so scores meet the bound
        for (int d = 0; d < rank; d++) {
            base[d] = (float) rnd.nextGaussian();
        }
        Factors q = factors(rnd, nq, base, nonFinite);
        Factors y = factors(rnd, nc, base, nonFinite);
        // k near the candidate count costs a full heap per query: common in small cases, rare in large ones
        int k = switch (nc > 1000 && rnd.nextInt(6) > 0 ? 5 : rnd.nextInt(6)) {
            case 0 -> 1;
            case 1 -> Math.max(1, nc);
            case 2 -> nc + 1 + rnd.nextInt(10);
            case 3 -> 1 + rnd.nextInt(nc + 5);
            default -> 1 + rnd.nextInt(30);
        };
        Csr exclude = rnd.nextInt(3) == 0 ? null : exclusion(rnd, q, y, k);
        int[] rows = null;
        if (rnd.nextBoolean()) {
            rows = new int[nq == 0 ? 0 : rnd.nextInt(2 * nq + 1)];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = rnd.nextInt(nq);
            }
        }
        return new Case(seed, q, y, k, exclude, rows);
    }

    /**
     * Random factors in one of five styles, with duplicated rows, zero rows and absent rows. Styles 3 and 4 make every
     * row parallel to {@code base} (scaled by 1, or by a power of two, which float arithmetic keeps exact): equal norms
     * and equal scores in long runs, across block boundaries, where only the index decides, and scores as high as the
     * Cauchy–Schwarz bound, where pruning is tightest.
     */
    private static Factors factors(SplittableRandom rnd, int n, float[] base, boolean nonFinite) {
        int rank = base.length;
        int style = rnd.nextInt(5);
        float[] f = new float[n * rank];
        for (int i = 0; i < n; i++) {
            double scale = Math.exp(2 * rnd.nextGaussian()); // norms over orders of magnitude
            float pow2 = style == 4 ? Math.scalb(1f, rnd.nextInt(5) - 2) : 1f;
            for (int d = 0; d < rank; d++) {
                f[i * rank + d] = switch (style) {
                    case 0 -> (float) (scale * rnd.nextGaussian());
                    case 1 -> rnd.nextInt(5) - 2; // exact ties between different vectors
                    case 2 -> (float) rnd.nextGaussian();
                    default -> pow2 * base[d];
                };
            }
        }
        for (int t = rnd.nextInt(n / 8 + 2); t > 0 && n > 1; t--) { // duplicated rows
            System.arraycopy(f, rnd.nextInt(n) * rank, f, rnd.nextInt(n) * rank, rank);
        }
        for (int t = rnd.nextInt(n / 16 + 2); t > 0 && n > 0; t--) { // zero vectors
            int i = rnd.nextInt(n);
            Arrays.fill(f, i * rank, (i + 1) * rank, 0f);
        }
        for (int t = nonFinite ? 1 + rnd.nextInt(4) : 0; t > 0 && n > 0; t--) {
            float[] odd = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE};
            f[rnd.nextInt(f.length)] = odd[rnd.nextInt(odd.length)];
        }
        double absent = new double[] {0, 0, 0.1, 0.5, 1}[rnd.nextInt(5)];
        boolean stale = rnd.nextBoolean(); // absent rows keep their values (they must be ignored anyway)
        BitSet present = new BitSet();
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() >= absent) {
                present.set(i);
            } else if (!stale) {
                Arrays.fill(f, i * rank, (i + 1) * rank, 0f);
            }
        }
        return Factors.wrap(f, n, rank, present);
    }

    /**
     * Per query row: none, a few, or many random candidates (with repeats, absent ones included), or the query's own
     * best-scoring ones (what a user has seen is what they like): then the list with the exclusion must reach much
     * further down the norm order than the list without it, and the early stop must wait for both.
     */
    private static Csr exclusion(SplittableRandom rnd, Factors q, Factors y, int k) {
        int nq = q.rows();
        int nc = y.rows();
        int[][] cols = new int[nq][];
        int m = 0;
        for (int i = 0; i < nq; i++) {
            int style = nc == 0 ? 0 : rnd.nextInt(5);
            int seen = rnd.nextBoolean() ? rnd.nextInt(3 * Math.min(k, nc) + 1) : rnd.nextInt(nc + 1);
            cols[i] = style == 4
                    ? ranked(q, i, y, null, seen)
                    : new int
                            [switch (style) {
                                case 0 -> 0;
                                case 1 -> rnd.nextInt(Math.min(nc, 6) + 1);
                                case 2 -> rnd.nextInt(Math.min(nc, 60) + 1);
                                default -> rnd.nextInt(Math.min(nc + nc / 2, 2000) + 1);
                            }];
            if (style != 4) {
                for (int e = 0; e < cols[i].length; e++) {
                    cols[i][e] = rnd.nextInt(nc);
                }
            }
            m += cols[i].length;
        }
        int[] r = new int[m];
        int[] col = new int[m];
        int at = 0;
        for (int i = 0; i < nq; i++) {
            for (int e = 0; e < cols[i].length; e++, at++) {
                r[at] = i;
                col[at] = cols[i][e];
            }
        }
        return Csr.fromCoordinates(nq, nc, r, col, new float[m]);
    }
}
