package encore.eval;

import encore.matrix.Csr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark's RankingMetricsSuite vectors (absTol 1e-5), Spark's quirks, and a cross-check against the formulas. */
class RankingMetricsTest {
    private static final double TOL = 1e-5;

    private static final int[][] PRED = {
        {1, 6, 2, 7, 8, 3, 9, 10, 4, 5},
        {4, 1, 5, 6, 2, 7, 3, 8, 9, 10},
        {1, 2, 3, 4, 5},
    };
    private static final int[][] LABELS = {
        {1, 2, 3, 4, 5},
        {1, 2, 3},
        {},
    };

    private static RankingMetrics spark(int k) {
        RankingMetrics m = new RankingMetrics(k);
        for (int q = 0; q < PRED.length; q++) {
            m.add(PRED[q], PRED[q].length, LABELS[q], LABELS[q].length);
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({
        "1,  0.3333333333, 0.0666666667", // 1/3, 1/15
        "2,  0.3333333333, 0.1777777778", // 1/3, 8/45
        "3,  0.3333333333, 0.2444444444", // 1/3, 11/45
        "4,  0.25,         0.2444444444", // 0.75/3, 11/45
        "5,  0.2666666667, 0.3555555556", // 0.8/3, 16/45
        "10, 0.2666666667, 0.6666666667", // 0.8/3, 2/3
        "15, 0.1777777778, 0.6666666667", // 8/45, 2/3
    })
    void sparkPrecisionAndRecall(int k, double precision, double recall) {
        RankingMetrics m = spark(k);
        assertEquals(3, m.queries());
        assertEquals(precision, m.precisionAtK(), TOL);
        assertEquals(recall, m.recallAtK(), TOL);
        assertEquals(0.355026, m.meanAveragePrecision(), TOL);
    }

    @ParameterizedTest
    @CsvSource({"1, 0.333334", "2, 0.25", "3, 0.24074"})
    void sparkMapAtK(int k, double map) {
        assertEquals(map, spark(k).mapAtK(), TOL);
    }

    @ParameterizedTest
    @CsvSource({"3, 0.3333333333", "5, 0.328788", "10, 0.487913", "15, 0.487913"})
    void sparkNdcg(int k, double ndcg) {
        assertEquals(ndcg, spark(k).ndcgAtK(), TOL);
    }

    @Test
    void sparkMap() {
        assertEquals(0.355026, spark(10).meanAveragePrecision(), TOL);
    }

    @Test
    void fewPredictions() {
        int[][] pred = {{1, 6, 2}, {}};
        int[][] labels = {{1, 2, 3, 4, 5}, {1, 2, 3}};
        double[][] expected = { // k, precision, ndcg, recall
            {1, 0.5, 0.5, 0.1},
            {2, 0.25, 0.30657, 0.1},
        };
        for (double[] e : expected) {
            RankingMetrics m = new RankingMetrics((int) e[0]);
            for (int q = 0; q < pred.length; q++) {
                m.add(pred[q], pred[q].length, labels[q], labels[q].length);
            }
            assertEquals(e[1], m.precisionAtK(), TOL);
            assertEquals(e[2], m.ndcgAtK(), TOL);
            assertEquals(e[3], m.recallAtK(), TOL);
        }
    }

    @Test
    void duplicatesCountedLikeSparkAndDedupeFixesIt() {
        int[] p = {1, 1};
        int[] g = {1};
        RankingMetrics m = new RankingMetrics(2);
        m.add(p, p.length, g, g.length);
        assertEquals(2.0, m.recallAtK(), 1e-12);
        assertEquals(2.0, m.meanAveragePrecision(), 1e-12);
        assertEquals(1.0, m.precisionAtK(), 1e-12);

        int[] d = RankingMetrics.dedupe(p);
        assertArrayEquals(new int[] {1}, d);
        RankingMetrics fixed = new RankingMetrics(2);
        fixed.add(d, d.length, g, g.length);
        assertEquals(1.0, fixed.recallAtK(), 1e-12);
        assertEquals(1.0, fixed.meanAveragePrecision(), 1e-12);
        assertEquals(0.5, fixed.precisionAtK(), 1e-12);
        assertEquals(1.0, fixed.ndcgAtK(), 1e-12);
    }

    @Test
    void dedupeKeepsFirstOccurrenceOrder() {
        assertArrayEquals(new int[] {3, 1, 2}, RankingMetrics.dedupe(new int[] {3, 1, 3, 2, 1}));
        assertArrayEquals(new int[0], RankingMetrics.dedupe(new int[0]));
        int[] noDup = {5, 4, 3};
        int[] copy = RankingMetrics.dedupe(noDup);
        assertArrayEquals(noDup, copy);
        assertTrue(copy != noDup);
        // the long-array path (sort based) agrees with the obvious algorithm
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 50; t++) {
            int[] a = new int[33 + r.nextInt(200)];
            for (int i = 0; i < a.length; i++) {
                a[i] = r.nextInt(-50, 50);
            }
            java.util.LinkedHashSet<Integer> seen = new java.util.LinkedHashSet<>();
            for (int v : a) {
                seen.add(v);
            }
            assertArrayEquals(seen.stream().mapToInt(Integer::intValue).toArray(), RankingMetrics.dedupe(a));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void nonPositiveKRejected(int k) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RankingMetrics(k));
        assertEquals("ranking position k should be positive", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.evaluate(k, new int[0][], csr(3)));
    }

    @Test
    void noQueriesIsNaN() {
        RankingMetrics m = new RankingMetrics(5);
        assertEquals(0, m.queries());
        assertTrue(Double.isNaN(m.precisionAtK()));
        assertTrue(Double.isNaN(m.recallAtK()));
        assertTrue(Double.isNaN(m.mapAtK()));
        assertTrue(Double.isNaN(m.ndcgAtK()));
        assertTrue(Double.isNaN(m.meanAveragePrecision()));
    }

    @Test
    void emptyGroundTruthCountsAsZero() {
        RankingMetrics m = new RankingMetrics(3);
        m.add(new int[] {1, 2}, 2, null, 0);
        m.add(new int[] {1, 2}, 2, new int[] {1}, 1);
        assertEquals(2, m.queries());
        assertEquals(0.5, m.recallAtK(), 1e-12);
        assertEquals(0.5, m.ndcgAtK(), 1e-12);
    }

    @Test
    void unsortedDuplicatedGroundTruthAndLengthPrefixes() {
        // G given as [5,3,3,1,9,...] with length 4 -> {1,3,5}; P prefix of length 3 -> [3,7,1]
        int[] pred = {3, 7, 1, 5, 99};
        int[] rel = {5, 3, 3, 1, 9, 9};
        RankingMetrics m = new RankingMetrics(3);
        m.add(pred, 3, rel, 4);
        assertArrayEquals(new int[] {5, 3, 3, 1, 9, 9}, rel); // not modified
        assertEquals(2.0 / 3, m.precisionAtK(), 1e-12);
        assertEquals(2.0 / 3, m.recallAtK(), 1e-12);
        assertEquals((1.0 + 2.0 / 3) / 3, m.meanAveragePrecision(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> m.add(pred, 6, rel, 1));
        assertThrows(IllegalArgumentException.class, () -> m.add(pred, 1, rel, -1));
    }

    @Test
    void randomAgainstFormulas() {
        SplittableRandom r = new SplittableRandom(42);
        for (int k : new int[] {1, 2, 5, 10, 37}) {
            RankingMetrics m = new RankingMetrics(k);
            double[] sums = new double[5];
            int queries = 300;
            for (int q = 0; q < queries; q++) {
                int[] p = new int[r.nextInt(0, 60)];
                for (int i = 0; i < p.length; i++) {
                    p[i] = r.nextInt(0, 80); // duplicates on purpose
                }
                int[] g = new int[r.nextInt(0, 40)];
                for (int i = 0; i < g.length; i++) {
                    g[i] = r.nextInt(0, 80);
                }
                m.add(p, p.length, g, g.length);
                double[] e = reference(p, g, k);
                for (int j = 0; j < 5; j++) {
                    sums[j] += e[j];
                }
            }
            assertEquals(sums[0] / queries, m.precisionAtK(), 1e-12);
            assertEquals(sums[1] / queries, m.recallAtK(), 1e-12);
            assertEquals(sums[2] / queries, m.mapAtK(), 1e-12);
            assertEquals(sums[3] / queries, m.ndcgAtK(), 1e-12);
            assertEquals(sums[4] / queries, m.meanAveragePrecision(), 1e-12);
        }
    }

    /** The spec §8.2 formulas, written the slow obvious way: precision, recall, AP@k, NDCG@k, AP. */
    private static double[] reference(int[] p, int[] labels, int k) {
        Set<Integer> g = new HashSet<>();
        for (int v : labels) {
            g.add(v);
        }
        if (g.isEmpty()) {
            return new double[5];
        }
        int np = p.length;
        int hitsK = 0;
        for (int i = 0; i < Math.min(np, k); i++) {
            if (g.contains(p[i])) {
                hitsK++;
            }
        }
        double apK = ap(p, g, k);
        double ap = ap(p, g, Math.max(np, g.size()));
        int n = Math.min(Math.max(np, g.size()), k);
        double dcg = 0;
        double idcg = 0;
        for (int i = 0; i < n; i++) {
            double gain = 1.0 / Math.log(i + 2);
            if (i < np && g.contains(p[i])) {
                dcg += gain;
            }
            if (i < g.size()) {
                idcg += gain;
            }
        }
        return new double[] {(double) hitsK / k, (double) hitsK / g.size(), apK, dcg / idcg, ap};
    }

    private static double ap(int[] p, Set<Integer> g, int cutoff) {
        int cnt = 0;
        double sum = 0;
        for (int i = 0; i < Math.min(cutoff, p.length); i++) {
            if (g.contains(p[i])) {
                cnt++;
                sum += (double) cnt / (i + 1);
            }
        }
        return sum / Math.min(g.size(), cutoff);
    }

    private static Csr csr(int cols, int[]... rows) {
        return PopularityBaselineTest.csr(cols, rows);
    }

    @Test
    void evaluateOnlyTestUsersAreQueries() {
        // 4 users × 6 items; users 1 and 3 have no test items, so they are not queries
        Csr test = csr(6, new int[] {1, 3}, new int[] {}, new int[] {5}, new int[] {});
        int[][] recs = {{3, 0, 1}, {1, 2}, {5, 4}, null};
        RankingMetrics m = RankingMetrics.evaluate(2, recs, test);
        assertEquals(2, m.queries());
        // u0: P@2 = [3,0] -> 1 hit; u2: [5,4] -> 1 hit
        assertEquals(0.5, m.precisionAtK(), 1e-12);
        assertEquals((0.5 + 1.0) / 2, m.recallAtK(), 1e-12);
        assertEquals((0.5 + 1.0) / 2, m.mapAtK(), 1e-12);
        double u0Ndcg = (1 / Math.log(2)) / (1 / Math.log(2) + 1 / Math.log(3));
        assertEquals((u0Ndcg + 1.0) / 2, m.ndcgAtK(), 1e-12);
        // MAP uses the whole list: u0 hits at ranks 1 and 3 -> (1 + 2/3) / 2
        assertEquals(((1 + 2.0 / 3) / 2 + 1.0) / 2, m.meanAveragePrecision(), 1e-12);
    }

    @Test
    void evaluateTestUserWithoutRecommendationsCountsAsZero() {
        Csr test = csr(3, new int[] {0}, new int[] {1, 2});
        RankingMetrics m = RankingMetrics.evaluate(1, new int[][] {{0}, null}, test);
        assertEquals(2, m.queries());
        assertEquals(0.5, m.precisionAtK(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.evaluate(1, new int[1][], test));
    }

    @Test
    void evaluateMatchesAddAndIsFastAtScale() {
        int users = 50_000;
        int items = 20_000;
        int k = 10;
        SplittableRandom r = new SplittableRandom(7);
        int[][] rows = new int[users][];
        int[][] recs = new int[users][];
        for (int u = 0; u < users; u++) {
            int n = r.nextInt(0, 12);
            java.util.TreeSet<Integer> s = new java.util.TreeSet<>();
            while (s.size() < n) {
                s.add(r.nextInt(items));
            }
            rows[u] = s.stream().mapToInt(Integer::intValue).toArray();
            recs[u] = new int[k];
            for (int i = 0; i < k; i++) {
                recs[u][i] = r.nextInt(items / 100); // many hits on low ids are unlikely; fine either way
            }
            if (rows[u].length > 0 && r.nextBoolean()) {
                recs[u][r.nextInt(k)] = rows[u][0];
            }
        }
        Csr test = csr(items, rows);
        RankingMetrics m =
                assertTimeoutPreemptively(Duration.ofSeconds(5), () -> RankingMetrics.evaluate(k, recs, test));
        RankingMetrics viaAdd = new RankingMetrics(k);
        for (int u = 0; u < users; u++) {
            if (rows[u].length > 0) {
                viaAdd.add(recs[u], k, rows[u], rows[u].length);
            }
        }
        assertEquals(viaAdd.queries(), m.queries());
        assertEquals(viaAdd.precisionAtK(), m.precisionAtK(), 0.0);
        assertEquals(viaAdd.recallAtK(), m.recallAtK(), 0.0);
        assertEquals(viaAdd.ndcgAtK(), m.ndcgAtK(), 0.0);
        assertEquals(viaAdd.meanAveragePrecision(), m.meanAveragePrecision(), 0.0);
        assertTrue(m.precisionAtK() > 0);
    }

    @Test
    void mergeEqualsSequential() {
        RankingMetrics a = new RankingMetrics(3);
        RankingMetrics b = new RankingMetrics(3);
        a.add(PRED[0], PRED[0].length, LABELS[0], LABELS[0].length);
        b.add(PRED[1], PRED[1].length, LABELS[1], LABELS[1].length);
        b.add(PRED[2], PRED[2].length, LABELS[2], LABELS[2].length);
        a.merge(b);
        RankingMetrics all = spark(3);
        assertEquals(all.queries(), a.queries());
        assertEquals(all.ndcgAtK(), a.ndcgAtK(), 1e-15);
        assertEquals(all.mapAtK(), a.mapAtK(), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> a.merge(new RankingMetrics(4)));
    }
}
