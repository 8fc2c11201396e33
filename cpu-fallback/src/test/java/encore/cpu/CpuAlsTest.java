package encore.cpu;

import encore.als.Als;
import encore.als.AlsException;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.FitListener;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

import static encore.cpu.SparkStyleData.fit;
import static encore.cpu.SparkStyleData.labels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU engine against the ideas of Spark's ALSSuite (spec §9), with Spark's tolerances, on data generated the way
 * Spark's suite generates it. Not asserted: Spark's 4 × 4 "more blocks than ratings" case (RMSE &lt; 0.002). On that
 * data a user with a single rating and its item form a weakly determined pair whose ALS convergence depends on the
 * initial factors: Encore reaches the bound for 6 of the seeds 0–11 (others stall between 0.005 and 0.26), and Spark's
 * own pass rests on its initialisation, which cannot be reproduced outside Spark.
 */
class CpuAlsTest {
    /** The parameters every test starts from; fits run on 2 threads unless a test says otherwise. */
    private static AlsParams.Builder params() {
        return AlsParams.builder().seed(0);
    }

    @ParameterizedTest(name = "true rank {0}, fitted rank {1}, noise {2}, reg {3}: RMSE < {4}")
    @CsvSource({
        "1, 1, 0.0, 1e-5, 0.001",
        "1, 2, 0.0, 1e-5, 0.001",
        "1, 1, 0.01, 0.01, 0.02",
        "1, 2, 0.01, 0.01, 0.02",
        "2, 2, 0.01, 0.01, 0.03",
        "2, 3, 0.01, 0.01, 0.03"
    })
    void recoversLowRankExplicitData(int trueRank, int rank, double noise, double reg, double bound) {
        SparkStyleData d = SparkStyleData.explicit(20, 40, trueRank, noise, 11);
        AlsModel m = fit(d.train, params().rank(rank).regParam(reg).build());
        double rmse = d.rmse(m);
        assertTrue(rmse < bound, "RMSE " + rmse);
    }

    @Test
    void implicitFeedbackOnLowRankData() {
        SparkStyleData d = SparkStyleData.implicit(20, 40, 2, 0.01, 11);
        AlsModel m =
                fit(d.train, params().rank(2).regParam(0.01).implicitPrefs(true).build());
        double w = d.weightedClippedRmse(m, 1.0);
        assertTrue(w < 0.3, "weighted clipped RMSE " + w);
    }

    @Test
    void implicitNegativeRatingsMatterAndZeroMeansUnobserved() {
        Interactions neg = Interactions.fromCoordinates(
                labels(2), labels(2), new int[] {0, 1, 0}, new int[] {0, 1, 1}, new float[] {1, 1, -3});
        Interactions zero = Interactions.fromCoordinates(
                labels(2), labels(2), new int[] {0, 1, 0}, new int[] {0, 1, 1}, new float[] {1, 1, 0});
        // the same entities with the (0, 1) entry left out
        Interactions omitted = Interactions.fromCoordinates(
                labels(2), labels(2), new int[] {0, 1}, new int[] {0, 1}, new float[] {1, 1});
        AlsParams p = params().rank(1).regParam(0.01).implicitPrefs(true).build();
        AlsModel a = fit(neg, p);
        AlsModel b = fit(zero, p);
        AlsModel c = fit(omitted, p);
        for (int u = 0; u < 2; u++) {
            assertFalse(Arrays.equals(a.userFactor(u), b.userFactor(u)), "user " + u);
            // confidence 1 + alpha·0 with preference 0 adds exactly nothing: bit-identical to the entry's absence
            assertArrayEquals(c.userFactor(u), b.userFactor(u), "user " + u);
        }
        for (int i = 0; i < 2; i++) {
            assertFalse(Arrays.equals(a.itemFactor(i), b.itemFactor(i)), "item " + i);
            assertArrayEquals(c.itemFactor(i), b.itemFactor(i), "item " + i);
        }
    }

    @Test
    void implicitEntityWithOnlyNonPositiveRatingsGetsTheZeroVector() {
        Interactions t = Interactions.fromCoordinates(
                labels(3), labels(2), new int[] {0, 1, 2, 2}, new int[] {0, 1, 0, 1}, new float[] {2, 1, 0, -1});
        AlsModel m = fit(t, params().rank(2).regParam(0.1).implicitPrefs(true).build());
        assertArrayEquals(new float[] {0, 0}, m.userFactor(2));
    }

    @Test
    void nonnegativeFactorsStayNonNegative() {
        SparkStyleData d = SparkStyleData.implicit(20, 40, 2, 0.01, 11);
        AlsModel m = fit(d.train, params().rank(2).maxIter(4).nonnegative(true).build());
        for (float f : m.userFactors().data()) {
            assertTrue(f >= 0);
        }
        for (float f : m.itemFactors().data()) {
            assertTrue(f >= 0);
        }
        assertTrue(d.rmse(m) < 1.0);
    }

    @Test
    void manyIterationsDoNotFail() {
        SparkStyleData d = SparkStyleData.explicit(4, 4, 1, 0.0, 11);
        AlsModel e = fit(d.train, params().rank(1).maxIter(50).regParam(1e-4).build());
        AlsModel i = fit(
                d.train,
                params().rank(1).maxIter(50).regParam(1e-4).implicitPrefs(true).build());
        for (AlsModel m : new AlsModel[] {e, i}) {
            assertEquals(4, m.userFactors().presentCount());
            assertEquals(4, m.itemFactors().presentCount());
            assertEquals(-1, m.userFactors().firstNonFinite());
            assertEquals(-1, m.itemFactors().firstNonFinite());
        }
    }

    @Test
    void coldStartNanForUnknownSides() {
        // users 0,1 and items 0,1 train; user 2 and item 2 appear only in the index
        Interactions t = Interactions.fromCoordinates(
                labels(3), labels(3), new int[] {0, 0, 1}, new int[] {0, 1, 1}, new float[] {1, 2, 3});
        AlsModel m = fit(t, params().rank(1).maxIter(1).build());
        assertTrue(Float.isNaN(m.predict(2, 2)));
        assertTrue(Float.isNaN(m.predict(0, 2)));
        assertTrue(Float.isNaN(m.predict(2, 0)));
        assertTrue(Float.isFinite(m.predict(0, 0)));
        assertTrue(Float.isNaN(m.predict("no such user", "0")));
        Csr pairs = Csr.fromCoordinates(3, 3, new int[] {0, 0, 2, 2}, new int[] {0, 2, 0, 2}, new float[4]);
        Csr nan = m.transformWithColdStart(pairs);
        assertEquals(4, nan.nnz());
        assertTrue(Float.isFinite(nan.values()[0]) && Float.isNaN(nan.values()[1]) && Float.isNaN(nan.values()[3]));
        AlsModel dropping = fit(
                t,
                params().rank(1)
                        .maxIter(1)
                        .coldStartStrategy(AlsParams.ColdStartStrategy.DROP)
                        .build());
        Csr dropped = dropping.transformWithColdStart(pairs);
        assertEquals(1, dropped.nnz());
        assertEquals(nan.values()[0], dropped.values()[0]);
        assertEquals(AlsParams.ColdStartStrategy.DROP, AlsParams.ColdStartStrategy.parse("Drop"));
        assertEquals(AlsParams.ColdStartStrategy.NAN, AlsParams.ColdStartStrategy.parse("NaN"));
    }

    @Test
    void recommendForAllMatchesSparksFixedFactorLists() {
        // users 0:[6,4] 1:[3,4] 2:[3,6]; items 3:[5,6] 4:[6,2] 5:[3,6] 6:[4,1] (indices 0..3 here)
        float[] uf = {6, 4, 3, 4, 3, 6};
        float[] itf = {5, 6, 6, 2, 3, 6, 4, 1};
        BitSet all3 = new BitSet();
        all3.set(0, 3);
        BitSet all4 = new BitSet();
        all4.set(0, 4);
        AlsModel m = new AlsModel(
                params().rank(2).build(),
                labels(3),
                labels(4),
                Factors.copyOf(uf, 3, 2, all3),
                Factors.copyOf(itf, 4, 2, all4));
        int[][] userIds = {{0, 1, 2, 3}, {0, 2, 1, 3}, {0, 2, 1, 3}};
        float[][] userScores = {{54, 44, 42, 28}, {39, 33, 26, 16}, {51, 45, 30, 18}};
        for (int k : new int[] {2, 4, 6}) {
            Recommendations r = m.recommendForAllUsers(k, null);
            for (int u = 0; u < 3; u++) {
                int n = Math.min(k, 4);
                assertArrayEquals(Arrays.copyOf(userIds[u], n), r.ids(u));
                assertArrayEquals(Arrays.copyOf(userScores[u], n), r.scores(u));
            }
        }
        int[][] itemIds = {{0, 2, 1}, {0, 2, 1}, {2, 0, 1}, {0, 2, 1}};
        float[][] itemScores = {{54, 51, 39}, {44, 30, 26}, {45, 42, 33}, {28, 18, 16}};
        for (int k : new int[] {2, 3, 4}) {
            Recommendations r = m.recommendForAllItems(k, null);
            for (int i = 0; i < 4; i++) {
                int n = Math.min(k, 3);
                assertArrayEquals(Arrays.copyOf(itemIds[i], n), r.ids(i));
                assertArrayEquals(Arrays.copyOf(itemScores[i], n), r.scores(i));
            }
        }
        // subsets: duplicates collapse, unknown labels are omitted, rows equal the all-users lists
        Recommender.UserRecommendations sub = m.recommendForUsers(new String[] {"0", "2", "0", "nobody"}, 4, null);
        assertArrayEquals(new int[] {0, 2}, sub.users());
        assertArrayEquals(userIds[2], sub.lists().ids(1));
    }

    @Test
    void recommendTiesGoToTheHigherIndexAndSeenItemsAreExcluded() {
        float[] uf = {1, 0};
        float[] itf = {1, 0, 1, 0, 1, 0, 2, 0}; // items 0,1,2 tie at 1.0, item 3 scores 2
        BitSet u = new BitSet();
        u.set(0);
        BitSet it = new BitSet();
        it.set(0, 4);
        AlsModel m = new AlsModel(
                params().rank(2).build(),
                labels(1),
                labels(4),
                Factors.copyOf(uf, 1, 2, u),
                Factors.copyOf(itf, 4, 2, it));
        assertArrayEquals(new int[] {3, 2, 1}, m.recommendForAllUsers(3, null).ids(0));
        Csr seen = Csr.fromCoordinates(1, 4, new int[] {0, 0}, new int[] {3, 1}, new float[] {1, 1});
        assertArrayEquals(new int[] {2, 0}, m.recommendForAllUsers(3, seen).ids(0));
        Csr everything =
                Csr.fromCoordinates(1, 4, new int[] {0, 0, 0, 0}, new int[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1});
        assertEquals(0, m.recommendForAllUsers(10, everything).count(0));
        assertEquals(4, m.recommendForAllUsers(1000, null).count(0));
        BitSet blocked = new BitSet();
        blocked.set(3);
        blocked.set(7); // past the catalogue: ignored
        assertArrayEquals(
                new int[] {2, 1, 0}, m.recommendForAllUsers(3, null, blocked).ids(0));
        assertArrayEquals(
                new int[] {2, 0}, m.recommendForAllUsers(3, seen, blocked).ids(0));
    }

    @Test
    void sameSeedGivesIdenticalFactorsWhateverTheThreadCount() {
        SparkStyleData d = SparkStyleData.explicit(60, 90, 3, 0.1, 5);
        for (boolean implicit : new boolean[] {false, true}) {
            AlsParams p1 = params().rank(4).implicitPrefs(implicit).build();
            AlsModel one = fit(d.train, p1, 1);
            AlsModel eight = fit(d.train, p1, 8);
            assertArrayEquals(one.userFactors().data(), eight.userFactors().data());
            assertArrayEquals(one.itemFactors().data(), eight.itemFactors().data());
            assertEquals(one.userFactors(), eight.userFactors());
            assertEquals(one.itemFactors(), eight.itemFactors());
            assertArrayEquals(
                    one.recommendForAllUsers(5, d.train.userItems()).ids(7),
                    eight.recommendForAllUsers(5, d.train.userItems()).ids(7));
        }
    }

    @Test
    void singularSystemIsAClearErrorNamingTheEntity() {
        // regParam 0, rank 3, a user with one rating: A = y yᵀ has rank 1
        Interactions t = Interactions.fromCoordinates(
                labels(2), labels(3), new int[] {0, 0, 0, 1}, new int[] {0, 1, 2, 0}, new float[] {1, 2, 3, 4});
        AlsException e = assertThrows(
                AlsException.class, () -> fit(t, params().rank(3).regParam(0).build()));
        assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
        assertTrue(e.getMessage().matches("(?s)^(user|item) '\\d+'.*"), e.getMessage());
    }

    @Test
    void zeroIterationsReturnUnitNormInitialFactors() {
        SparkStyleData d = SparkStyleData.explicit(10, 10, 2, 0.0, 3);
        AlsModel m = fit(d.train, params().rank(5).maxIter(0).build());
        int checked = 0;
        for (int u = 0; u < 10; u++) {
            if (m.hasUser(u)) {
                double n = 0;
                for (float f : m.userFactor(u)) {
                    n += f * f;
                }
                assertEquals(1.0, n, 1e-5);
                checked++;
            }
        }
        assertEquals(d.train.userItems().nonEmptyRows().cardinality(), checked);
        assertTrue(checked > 0);
    }

    @Test
    void conjugateGradientApproachesCholesky() {
        SparkStyleData d = SparkStyleData.implicit(40, 60, 3, 0.05, 7);
        AlsParams chol =
                params().rank(4).implicitPrefs(true).alpha(2).maxIter(10).build();
        AlsModel exact = fit(d.train, chol);
        AlsModel cg = fit(
                d.train, chol.toBuilder().solver(AlsParams.Solver.CG).cgSteps(8).build());
        double diff = 0;
        double norm = 0;
        for (int u = 0; u < 40; u++) {
            for (int i = 0; i < 60; i++) {
                double a = exact.predict(u, i);
                double b = cg.predict(u, i);
                if (!Double.isNaN(a)) {
                    diff += (a - b) * (a - b);
                    norm += a * a;
                }
            }
        }
        assertTrue(Math.sqrt(diff / norm) < 0.02, "relative difference " + Math.sqrt(diff / norm));
    }

    @Test
    void halfIterationMatchesADoublePrecisionReference() {
        Random rnd = new Random(42);
        int users = 50;
        int items = 80;
        int k = 8;
        SparkStyleData.IntFloatTriples t = new SparkStyleData.IntFloatTriples();
        for (int u = 0; u < users; u++) {
            double density = u % 3 == 0 ? 0.04 : 0.3; // a third of the users have fewer ratings than the rank
            for (int i = 0; i < items; i++) {
                if (rnd.nextDouble() < density) {
                    t.add(u, i, 1 + rnd.nextInt(5));
                }
            }
        }
        Interactions train = Interactions.fromCoordinates(labels(users), labels(items), t.u(), t.i(), t.v());
        float[] itemF = new float[items * k];
        for (int q = 0; q < itemF.length; q++) {
            itemF[q] = (float) rnd.nextGaussian();
        }
        for (boolean implicit : new boolean[] {false, true}) {
            AlsParams p = params().rank(k)
                    .regParam(0.05)
                    .implicitPrefs(implicit)
                    .alpha(3)
                    .build();
            float[] userF = new float[users * k];
            CpuHalfIteration.solve(train.userItems(), itemF, userF, p, 2);
            Csr ui = train.userItems();
            for (int u = 0; u < users; u++) {
                double[] ref = ReferenceSolve.row(ui, u, itemF, items, k, p);
                for (int d = 0; d < k; d++) {
                    double rel = Math.abs(userF[u * k + d] - ref[d]) / Math.max(1e-3, Math.abs(ref[d]));
                    assertTrue(
                            rel < 1e-5,
                            "implicit=" + implicit + " user " + u + " dim " + d + ": " + userF[u * k + d] + " vs "
                                    + ref[d]);
                }
            }
        }
    }

    @Test
    void objectiveNeverIncreases() {
        SparkStyleData d = SparkStyleData.implicit(40, 60, 3, 0.05, 7);
        for (boolean implicit : new boolean[] {false, true}) {
            AlsParams p =
                    params().rank(4).implicitPrefs(implicit).alpha(2).maxIter(8).build();
            java.util.List<Double> losses = new java.util.ArrayList<>();
            FitListener l = new FitListener() {
                @Override
                public boolean wantsLoss() {
                    return true;
                }

                @Override
                public void loss(int iteration, double loss) {
                    losses.add(loss);
                }
            };
            Als.with(p).backend("cpu").threads(2).listener(l).fit(d.train);
            assertEquals(8, losses.size());
            for (int i = 1; i < losses.size(); i++) {
                assertTrue(losses.get(i) <= losses.get(i - 1) * (1 + 1e-9), "implicit=" + implicit + " " + losses);
            }
        }
    }

    @Test
    void similarItemsByCosine() {
        float[] uf = {1, 0};
        // item 0 = [1,0]; item 1 = [2,0.1] (nearly parallel, longer); item 2 = [0,1]; item 3 = [-1,0]; item 4 cold
        float[] itf = {1, 0, 2, 0.1f, 0, 1, -1, 0, 5, 5};
        BitSet u = new BitSet();
        u.set(0);
        BitSet it = new BitSet();
        it.set(0, 4);
        AlsModel m = new AlsModel(
                params().rank(2).build(),
                labels(1),
                labels(5),
                Factors.copyOf(uf, 1, 2, u),
                Factors.copyOf(itf, 5, 2, it));
        Recommendations sim = m.similarItems(0, 10);
        assertArrayEquals(new int[] {1, 2, 3}, sim.ids(0));
        assertEquals(1.0, sim.score(0, 0), 0.002);
        assertEquals(0.0, sim.score(0, 1), 1e-6);
        assertEquals(-1.0, sim.score(0, 2), 1e-6);
        assertEquals(0, m.similarItems(4, 3).count(0));
    }

    @Test
    void paramsAreValidatedWithClearMessages() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> AlsParams.builder().rank(0).build())
                .getMessage()
                .contains("rank must be"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> AlsParams.builder().regParam(-1).build())
                .getMessage()
                .contains("regParam"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> AlsParams.builder().alpha(Double.NaN).build())
                .getMessage()
                .contains("alpha"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> AlsParams.builder().solver(AlsParams.Solver.CG).build())
                .getMessage()
                .contains("implicit"));
        assertEquals(10, AlsParams.defaults().rank());
        assertEquals(0.1, AlsParams.defaults().regParam());
        assertEquals(10, AlsParams.defaults().maxIter());
        assertEquals(1994790107L, AlsParams.defaults().seed());
    }

    @Test
    void shortImplicitRowsWithZeroAndNegativeRatingsMatchTheReference() {
        Random rnd = new Random(7);
        int users = 60;
        int items = 50;
        int k = 12;
        SparkStyleData.IntFloatTriples t = new SparkStyleData.IntFloatTriples();
        for (int u = 0; u < users; u++) {
            int n = 1 + u % 9; // 1..9 entries: below and above k/2
            for (int e = 0; e < n; e++) {
                int kind = rnd.nextInt(4);
                t.add(u, rnd.nextInt(items), kind == 0 ? 0f : kind == 1 ? -(1 + rnd.nextInt(3)) : 1 + rnd.nextInt(6));
            }
        }
        Interactions train = Interactions.fromCoordinates(labels(users), labels(items), t.u(), t.i(), t.v());
        float[] itemF = new float[items * k];
        for (int q = 0; q < itemF.length; q++) {
            itemF[q] = (float) rnd.nextGaussian();
        }
        AlsParams p =
                params().rank(k).regParam(0.05).implicitPrefs(true).alpha(2).build();
        float[] userF = new float[users * k];
        CpuHalfIteration.solve(train.userItems(), itemF, userF, p, 2);
        for (int u = 0; u < users; u++) {
            double[] ref = ReferenceSolve.row(train.userItems(), u, itemF, items, k, p);
            for (int d = 0; d < k; d++) {
                double rel = Math.abs(userF[u * k + d] - ref[d]) / Math.max(1e-3, Math.abs(ref[d]));
                assertTrue(rel < 1e-5, "user " + u + " dim " + d + ": " + userF[u * k + d] + " vs " + ref[d]);
            }
        }
    }

    @Test
    void backendsFindTheCpuEngine() {
        assertEquals("cpu", Backends.choose("cpu").name());
        assertEquals(null, Backends.status().get("cpu"));
        assertThrows(IllegalArgumentException.class, () -> Backends.choose("tpu"));
    }
}
