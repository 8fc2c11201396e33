package encore.cpu;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FoldIn;
import encore.als.ItemFilter;
import encore.als.RankedItems;
import encore.als.Recommendations;
import encore.als.ServingModel;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Serving: fold-in reproduces training, single-query lists equal the batch scorer's and a brute-force reference under
 * every filter, explanations decompose the score (hand-checked at rank 1), and bad requests are refused by name.
 */
class ServingModelTest {
    /** Random ratings, one per (user, item) as the front end aggregates plays; the last user has none (cold). */
    private static Csr ratings(SplittableRandom rnd, int users, int items, int n) {
        java.util.TreeSet<Long> pairs = new java.util.TreeSet<>();
        while (pairs.size() < n) {
            int u = rnd.nextInt(users - 1);
            // skewed items, so that rows of every length occur (short ones take the Woodbury path when implicit)
            int i = (int) (items * Math.pow(rnd.nextDouble(), 2));
            pairs.add((long) u * items + i);
        }
        int[] u = new int[n];
        int[] i = new int[n];
        float[] v = new float[n];
        int q = 0;
        for (long key : pairs) {
            u[q] = (int) (key / items);
            i[q] = (int) (key % items);
            v[q] = 1 + rnd.nextInt(9);
            q++;
        }
        return Csr.fromCoordinates(users, items, u, i, v);
    }

    private static List<AlsParams> exactSolvers() {
        return List.of(
                AlsParams.builder().rank(12).maxIter(3).regParam(0.1).build(),
                AlsParams.builder()
                        .rank(12)
                        .maxIter(3)
                        .regParam(0.01)
                        .implicitPrefs(true)
                        .alpha(40)
                        .build(),
                AlsParams.builder()
                        .rank(40)
                        .maxIter(2)
                        .regParam(0.05)
                        .implicitPrefs(true)
                        .alpha(1)
                        .build(),
                AlsParams.builder()
                        .rank(8)
                        .maxIter(3)
                        .regParam(0.1)
                        .nonnegative(true)
                        .build());
    }

    @Test
    void foldingInATrainingUsersOwnRatingsGivesBackItsFactor() {
        for (AlsParams p : exactSolvers()) {
            Csr r = ratings(new SplittableRandom(p.rank()), 120, 90, 2500);
            AlsModel m = Als.with(p).backend("cpu").threads(2).fit(r).model();
            int checked = 0;
            for (int u = 0; u < r.rows(); u++) {
                int[] items = Arrays.copyOfRange(r.colIdx(), r.rowStart(u), r.rowEnd(u));
                float[] counts = Arrays.copyOfRange(r.values(), r.rowStart(u), r.rowEnd(u));
                FoldIn.User f = m.foldIn(items, counts);
                if (items.length == 0) {
                    assertFalse(f.solved());
                    continue;
                }
                float[] want = m.userFactor(u);
                for (int d = 0; d < p.rank(); d++) {
                    assertEquals(want[d], f.factor()[d], 1e-5 * Math.max(1, Math.abs(want[d])), p + " user " + u);
                }
                checked++;
            }
            assertEquals(119, checked);
        }
    }

    @Test
    void foldInAtRankOneIsTheHandSolvedSystem() {
        // y = (1, 2, 3); plays: item 0 twice… as counts 2 and 1 of items 0 and 1, λ = 0.5
        AlsModel explicit = rankOne(AlsParams.builder().rank(1).regParam(0.5).build());
        // explicit: (1 + 4 + 0.5·2) x = 2·1 + 1·2 → x = 4/6
        assertEquals(
                4f / 6, explicit.foldIn(new int[] {0, 1}, new float[] {2, 1}).factor()[0], 1e-7);
        AlsModel implicit = rankOne(AlsParams.builder()
                .rank(1)
                .regParam(0.5)
                .implicitPrefs(true)
                .alpha(1)
                .build());
        // implicit: (YᵀY = 14) + α(2·1 + 1·4) + 0.5·2 = 21; b = (1 + 2)·1 + (1 + 1)·2 = 7 → x = 1/3
        assertEquals(
                1f / 3, implicit.foldIn(new int[] {0, 1}, new float[] {2, 1}).factor()[0], 1e-7);
    }

    @Test
    void repeatedItemsAreSummedAndUnknownOrColdItemsIgnored() {
        AlsModel m = rankOne(AlsParams.builder().rank(1).regParam(0.5).build());
        FoldIn.User u = m.foldIn(new int[] {1, 0, 3, 0, 99, -1, 3}, new float[] {1, 1.5f, 4, 0.5f, 1, 1, 2});
        assertEquals(2, u.used());
        assertEquals(4, u.ignored(), "item 3 is cold (two entries), 99 and -1 are unknown");
        assertArrayEquals(m.foldIn(new int[] {0, 1}, new float[] {2, 1}).factor(), u.factor());
        FoldIn.User none = m.foldIn(new int[] {3, 42}, new float[] {1, 1});
        assertFalse(none.solved());
        assertNull(none.factor());
        assertThrows(IllegalArgumentException.class, () -> m.foldIn(new int[] {0}, new float[] {1, 2}));
        IllegalArgumentException nan = assertThrows(
                IllegalArgumentException.class, () -> m.foldIn(new int[] {0, 1}, new float[] {1, Float.NaN}));
        assertEquals("counts[1] is NaN, expected a finite number", nan.getMessage());
    }

    @Test
    void explanationsAtRankOneAreTheHandComputedShares() {
        // explicit: A = 6, w = A⁻¹ y₂ = 0.5; item 0: 2 · 0.5 · 1 = 1, item 1: 1 · 0.5 · 2 = 1 (a tie: higher index
        // first)
        ServingModel ex = new ServingModel(
                rankOne(AlsParams.builder().rank(1).regParam(0.5).build()), null, false);
        FoldIn.Explanation e = ex.explain(new int[] {0, 1}, new float[] {2, 1}, 2, 5);
        assertEquals(2, e.item());
        assertEquals(2.0, e.explained(), 1e-12);
        assertEquals(2f, e.score(), 1e-6);
        assertEquals(
                List.of(1, 0), List.of(e.top().get(0).item(), e.top().get(1).item()));
        assertEquals(1.0, e.top().get(0).value(), 1e-12);
        assertEquals(0.5, e.top().get(1).share(), 1e-12);
        // implicit: A = 21, w = 1/7; item 0: (1 + 2) · 1/7 · 1 = 3/7, item 1: (1 + 1) · 1/7 · 2 = 4/7; total 1 = 3 ·
        // 1/3
        ServingModel im = new ServingModel(
                rankOne(AlsParams.builder()
                        .rank(1)
                        .regParam(0.5)
                        .implicitPrefs(true)
                        .alpha(1)
                        .build()),
                null,
                false);
        FoldIn.Explanation i = im.explain(new int[] {0, 1}, new float[] {2, 1}, 2, 1);
        assertEquals(1, i.top().size(), "top 1");
        assertEquals(1, i.top().get(0).item());
        assertEquals(4.0 / 7, i.top().get(0).value(), 1e-12);
        assertEquals(4.0 / 7, i.top().get(0).share(), 1e-12);
        assertEquals(1.0, i.explained(), 1e-12);
    }

    @Test
    void aTrainingUsersExplanationSumsToItsScore() {
        for (AlsParams p : exactSolvers().subList(0, 3)) {
            Csr r = ratings(new SplittableRandom(7), 80, 60, 1500);
            AlsModel m = Als.with(p).backend("cpu").threads(2).fit(r).model();
            ServingModel s = new ServingModel(m, r, true);
            for (int u = 0; u < 79; u += 7) {
                for (int item = 0; item < 60; item += 11) {
                    if (!m.hasUser(u) || !m.hasItem(item)) {
                        continue;
                    }
                    FoldIn.Explanation e = s.explain(u, item, 1000);
                    assertEquals(m.predict(u, item), e.score());
                    assertEquals(e.score(), e.explained(), 1e-4 * Math.max(1, Math.abs(e.score())), p + " " + u);
                    assertEquals(r.rowLength(u), e.top().size());
                    double shares = 0;
                    for (int c = 1; c < e.top().size(); c++) {
                        assertTrue(e.top().get(c - 1).value() >= e.top().get(c).value());
                    }
                    for (FoldIn.Contribution c : e.top()) {
                        shares += c.share();
                    }
                    assertEquals(1.0, shares, 1e-9);
                }
            }
        }
    }

    @Test
    void singleQueriesEqualTheBatchScorerAndABruteForceReferenceUnderEveryFilter() {
        SplittableRandom rnd = new SplittableRandom(11);
        int users = 30;
        int items = 3000; // several blocks of the searcher
        int rank = 9;
        AlsModel m = randomModel(rnd, users, items, rank);
        Csr seen = ratings(rnd, users, items, 900);
        ServingModel s = new ServingModel(m, seen, true);
        Recommendations all = m.recommendForAllUsers(25, null);
        Recommendations unseen = m.recommendForAllUsers(25, seen);
        for (int u = 0; u < users; u++) {
            if (!m.hasUser(u)) {
                continue;
            }
            assertArrayEquals(
                    all.ids(u), s.recommend(u, 25, ItemFilter.none(), false).items(), "user " + u);
            assertArrayEquals(
                    unseen.ids(u), s.recommend(u, 25, ItemFilter.none(), true).items(), "user " + u);
            int[] only = randomItems(rnd, items, 1 + rnd.nextInt(400));
            int[] deny = randomItems(rnd, items, rnd.nextInt(2000));
            for (ItemFilter f : List.of(
                    ItemFilter.only(only),
                    ItemFilter.excluding(deny),
                    ItemFilter.only(only).andExcluding(deny),
                    ItemFilter.excluding(deny).andOnly(randomItems(rnd, items, 2500)))) {
                for (boolean excludeSeen : new boolean[] {false, true}) {
                    for (int k : new int[] {1, 10, 500}) {
                        RankedItems got = s.recommend(u, k, f, excludeSeen);
                        RankedItems want = bruteForce(m, m.userFactor(u), k, f, excludeSeen ? s.seenItems(u) : null);
                        assertEquals(want, got, f + " seen " + excludeSeen + " k " + k);
                    }
                }
            }
        }
    }

    @Test
    void aListHasExactlyTheAllowedCandidatesWithFactorsWhenThereAreFewerThanK() {
        SplittableRandom rnd = new SplittableRandom(3);
        AlsModel m = randomModel(rnd, 5, 200, 4);
        ServingModel s = new ServingModel(m, null, false);
        int cold = m.itemFactors().present().nextClearBit(0);
        RankedItems r = s.recommend(0, 10, ItemFilter.only(3, 7, cold, 5000), false);
        assertEquals(2, r.size());
        assertEquals(List.of(3, 7), sorted(r.items()));
        int[] allButTwo = new int[198];
        for (int i = 0, n = 0; i < 200; i++) {
            if (i != 42 && i != 43) {
                allButTwo[n++] = i;
            }
        }
        RankedItems two = s.recommend(0, 10, ItemFilter.excluding(allButTwo), false);
        assertEquals(m.hasItem(42) && m.hasItem(43) ? 2 : 1, two.size());
        assertEquals(
                m.itemsWithFactors(),
                s.recommend(0, 1000, ItemFilter.none(), false).size());
    }

    @Test
    void similarItemsEqualTheRecommendersAndHonourTheFilter() {
        SplittableRandom rnd = new SplittableRandom(5);
        AlsModel m = randomModel(rnd, 4, 1500, 6);
        ServingModel s = new ServingModel(m, null, false);
        for (int i = 0; i < 1500; i += 37) {
            if (!m.hasItem(i)) {
                int cold = i;
                assertThrows(IllegalArgumentException.class, () -> s.similar(cold, 3, ItemFilter.none()));
                continue;
            }
            assertArrayEquals(
                    m.similarItems(i, 12).ids(0),
                    s.similar(i, 12, ItemFilter.none()).items(),
                    "item " + i);
            RankedItems denied =
                    s.similar(i, 12, ItemFilter.excluding(m.similarItems(i, 3).ids(0)));
            assertArrayEquals(Arrays.copyOfRange(m.similarItems(i, 15).ids(0), 3, 15), denied.items(), "item " + i);
        }
    }

    @Test
    void concurrentRequestsGetTheSequentialAnswers() throws Exception {
        SplittableRandom rnd = new SplittableRandom(9);
        Csr r = ratings(rnd, 200, 700, 6000);
        AlsParams p = AlsParams.builder()
                .rank(10)
                .maxIter(2)
                .implicitPrefs(true)
                .alpha(5)
                .build();
        AlsModel m = Als.with(p).backend("cpu").threads(2).fit(r).model();
        ServingModel s = new ServingModel(m, r, true);
        List<RankedItems> want = new ArrayList<>();
        for (int u = 0; u < 199; u++) {
            want.add(s.recommendForPlays(row(r, u), values(r, u), 10, ItemFilter.none(), true)
                    .items());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<RankedItems>> got = new ArrayList<>();
            for (int u = 0; u < 199; u++) {
                int user = u;
                got.add(pool.submit(
                        () -> s.recommendForPlays(row(r, user), values(r, user), 10, ItemFilter.none(), true)
                                .items()));
            }
            for (int u = 0; u < 199; u++) {
                assertEquals(want.get(u), got.get(u).get(), "user " + u);
                assertEquals(s.recommend(u, 10, ItemFilter.none(), true), want.get(u), "fold-in = trained, user " + u);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badRequestsAreRefusedByName() {
        AlsModel m = rankOne(AlsParams.builder().rank(1).regParam(0.5).build());
        ServingModel s = new ServingModel(m, null, false);
        assertEquals(
                "user index 9 is not in the model (2 users)",
                assertThrows(IllegalArgumentException.class, () -> s.recommend(9, 3, ItemFilter.none(), false))
                        .getMessage());
        assertEquals(
                "user 1 has no factors (no training plays)",
                assertThrows(IllegalArgumentException.class, () -> s.recommend(1, 3, ItemFilter.none(), false))
                        .getMessage());
        assertEquals(
                "k must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> s.recommend(0, 0, ItemFilter.none(), false))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.recommend(0, 3, ItemFilter.none(), true))
                .getMessage()
                .contains("saved without its training items"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.explain(0, 2, 3))
                .getMessage()
                .contains("saved without its training items"));
        assertEquals(
                "item 3 has no factors: it is never recommended",
                assertThrows(IllegalArgumentException.class, () -> s.explain(new int[] {0}, new float[] {1}, 3, 3))
                        .getMessage());
        assertEquals(
                "only: item index -2 is negative",
                assertThrows(IllegalArgumentException.class, () -> ItemFilter.only(1, -2))
                        .getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Rank 1: items (1, 2, 3, cold), users (present, cold). */
    private static AlsModel rankOne(AlsParams p) {
        BitSet items = new BitSet();
        items.set(0, 3);
        BitSet users = new BitSet();
        users.set(0);
        return new AlsModel(
                p,
                LabelIndex.ofOrdered(new String[] {"u0", "u1"}, new int[] {2, 0}),
                LabelIndex.ofOrdered(new String[] {"a", "b", "c", "cold"}, new int[] {1, 1, 0, 0}),
                Factors.wrap(new float[] {0.5f, 0f}, 2, 1, users),
                Factors.wrap(new float[] {1f, 2f, 3f, 0f}, 4, 1, items));
    }

    /** Random factors with a few cold rows and repeated item rows (exact score ties). */
    private static AlsModel randomModel(SplittableRandom rnd, int users, int items, int rank) {
        float[] uf = new float[users * rank];
        float[] itf = new float[items * rank];
        BitSet up = new BitSet();
        BitSet ip = new BitSet();
        for (int u = 0; u < users; u++) {
            if (rnd.nextInt(10) > 0) {
                up.set(u);
                for (int d = 0; d < rank; d++) {
                    uf[u * rank + d] = (float) rnd.nextGaussian();
                }
            }
        }
        for (int i = 0; i < items; i++) {
            if (rnd.nextInt(20) > 0) {
                ip.set(i);
                if (i > 0 && rnd.nextInt(8) == 0) {
                    System.arraycopy(itf, (i - 1) * rank, itf, i * rank, rank);
                } else {
                    double scale = Math.exp(rnd.nextGaussian());
                    for (int d = 0; d < rank; d++) {
                        itf[i * rank + d] = (float) (scale * rnd.nextGaussian());
                    }
                }
            }
        }
        String[] ul = new String[users];
        String[] il = new String[items];
        for (int u = 0; u < users; u++) {
            ul[u] = "u" + u;
        }
        for (int i = 0; i < items; i++) {
            il[i] = "i" + i;
        }
        return new AlsModel(
                AlsParams.builder().rank(rank).build(),
                LabelIndex.ofOrdered(ul, new int[users]),
                LabelIndex.ofOrdered(il, new int[items]),
                Factors.wrap(uf, users, rank, up),
                Factors.wrap(itf, items, rank, ip));
    }

    /** Every allowed item with factors scored by {@link AlsModel#predict}'s sum, sorted, the first k. */
    private static RankedItems bruteForce(AlsModel m, float[] x, int k, ItemFilter f, int[] excluded) {
        List<float[]> scored = new ArrayList<>();
        for (int i = 0; i < m.items().size(); i++) {
            if (m.hasItem(i) && f.allows(i) && (excluded == null || Arrays.binarySearch(excluded, i) < 0)) {
                float s = 0f;
                float[] y = m.itemFactor(i);
                for (int d = 0; d < x.length; d++) {
                    s += x[d] * y[d];
                }
                scored.add(new float[] {s, i});
            }
        }
        scored.sort((a, b) -> a[0] != b[0] ? Float.compare(b[0], a[0]) : Float.compare(b[1], a[1]));
        int n = Math.min(k, scored.size());
        int[] ids = new int[n];
        float[] scores = new float[n];
        for (int r = 0; r < n; r++) {
            ids[r] = (int) scored.get(r)[1];
            scores[r] = scored.get(r)[0];
        }
        return RankedItems.of(ids, scores);
    }

    private static int[] randomItems(SplittableRandom rnd, int items, int n) {
        int[] out = new int[n];
        for (int j = 0; j < n; j++) {
            out[j] = rnd.nextInt(items);
        }
        return out;
    }

    private static List<Integer> sorted(int[] a) {
        int[] c = a.clone();
        Arrays.sort(c);
        List<Integer> l = new ArrayList<>();
        for (int v : c) {
            l.add(v);
        }
        return l;
    }

    private static int[] row(Csr r, int u) {
        return Arrays.copyOfRange(r.colIdx(), r.rowStart(u), r.rowEnd(u));
    }

    private static float[] values(Csr r, int u) {
        return Arrays.copyOfRange(r.values(), r.rowStart(u), r.rowEnd(u));
    }
}
