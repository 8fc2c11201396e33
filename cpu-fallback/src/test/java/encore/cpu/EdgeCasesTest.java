package encore.cpu;

import encore.als.Als;
import encore.als.AlsException;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.Interactions;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numerical and size edge cases of the CPU engine: each fits with finite factors and usable recommendations, or
 * stops with a clear {@link AlsException} naming the entity — never NaN factors.
 */
class EdgeCasesTest {
    /** The parameters every test starts from; {@link SparkStyleData#fit} runs on 2 threads unless told otherwise. */
    static AlsParams.Builder params(boolean implicit) {
        return AlsParams.builder()
                .rank(4)
                .maxIter(5)
                .regParam(0.1)
                .implicitPrefs(implicit)
                .alpha(1)
                .seed(7);
    }

    static Interactions data(int users, int items, int[] u, int[] i, float[] v) {
        return Interactions.fromCoordinates(SparkStyleData.labels(users), SparkStyleData.labels(items), u, i, v);
    }

    /** Fits and checks every factor of an entity with ratings is finite and every recommendation score too. */
    static AlsModel fitFinite(Interactions t, AlsParams p) {
        AlsModel m = SparkStyleData.fit(t, p);
        for (float f : m.userFactors().data()) {
            assertTrue(Float.isFinite(f), "user factor " + f);
        }
        for (float f : m.itemFactors().data()) {
            assertTrue(Float.isFinite(f), "item factor " + f);
        }
        Recommendations r = m.recommendForAllUsers(10, null);
        for (int u = 0; u < r.rows(); u++) {
            for (int k = 0; k < r.count(u); k++) {
                assertTrue(Float.isFinite(r.score(u, k)));
            }
        }
        return m;
    }

    /** The same (user, item) pairs as {@code t} with the values {@code v} (in user-major order). */
    static Interactions withValues(Interactions t, float[] v) {
        Csr ui = t.userItems();
        int[] u = new int[ui.nnz()];
        for (int r = 0; r < ui.rows(); r++) {
            for (int q = ui.rowStart(r); q < ui.rowEnd(r); q++) {
                u[q] = r;
            }
        }
        return Interactions.fromCoordinates(t.users(), t.items(), u, ui.colIdx(), v);
    }

    @ParameterizedTest(name = "implicit {0}")
    @ValueSource(booleans = {false, true})
    void rankAboveTheNumberOfItemsAndUsers(boolean implicit) {
        Interactions t = data(3, 2, new int[] {0, 0, 1, 2}, new int[] {0, 1, 0, 1}, new float[] {1, 5, 2, 3});
        AlsModel m = fitFinite(t, params(implicit).rank(20).build());
        assertEquals(2, m.recommendForAllUsers(10, null).count(0)); // at most the catalogue
        assertEquals(0, m.recommendForAllUsers(10, t.userItems()).count(0)); // user 0 has heard everything
    }

    @ParameterizedTest(name = "implicit {0}")
    @ValueSource(booleans = {false, true})
    void usersWithOnePlayEach(boolean implicit) {
        int n = 500;
        int[] u = new int[n];
        int[] i = new int[n];
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            u[k] = k;
            i[k] = k % 37;
            v[k] = 1 + k % 5;
        }
        AlsModel m = fitFinite(data(n, 37, u, i, v), params(implicit).rank(8).build());
        assertTrue(m.hasUser(0) && m.hasUser(n - 1));
    }

    @Test
    void itemsHeardByNobodyInTrainGetNoFactorsAndAreNeverRecommended() {
        // 5 items indexed, items 3 and 4 only in the test set (no training rating)
        Interactions t = data(3, 5, new int[] {0, 1, 2, 2}, new int[] {0, 1, 2, 0}, new float[] {1, 2, 3, 4});
        for (boolean implicit : new boolean[] {false, true}) {
            AlsModel m = fitFinite(t, params(implicit).build());
            assertFalse(m.hasItem(3));
            assertTrue(Float.isNaN(m.predict(0, 4)));
            Recommendations r = m.recommendForAllUsers(10, null);
            for (int u = 0; u < 3; u++) {
                assertEquals(3, r.count(u), "every warm item, and only those"); // the loop below runs
                for (int k = 0; k < r.count(u); k++) {
                    assertTrue(r.id(u, k) < 3, "cold item recommended");
                }
            }
        }
    }

    @Test
    void regParamZeroIsFineWhenDeterminedAndAClearErrorWhenSingular() {
        SparkStyleData d = SparkStyleData.explicit(40, 30, 2, 0.0, 3);
        fitFinite(d.train, params(false).rank(2).regParam(0).build()); // every row has more ratings than the rank
        Interactions few = data(2, 3, new int[] {0, 0, 0, 1}, new int[] {0, 1, 2, 0}, new float[] {1, 2, 3, 4});
        for (boolean implicit : new boolean[] {false, true}) {
            AlsException e = assertThrows(
                    AlsException.class,
                    () -> SparkStyleData.fit(
                            few, params(implicit).rank(3).regParam(0).build()));
            assertTrue(
                    e.getMessage().contains("not positive definite")
                            || e.getMessage().contains("non-finite"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("raise regParam"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @ParameterizedTest(name = "implicit {0}")
    @ValueSource(booleans = {false, true})
    void countsOfABillion(boolean implicit) {
        SparkStyleData d = SparkStyleData.explicit(30, 20, 2, 0.0, 5);
        float[] v = new float[d.train.nnz()];
        Arrays.fill(v, 1e9f);
        v[0] = 1;
        Csr ui = d.train.userItems();
        Interactions t = withValues(d.train, v);
        AlsModel m = fitFinite(t, params(implicit).build());
        assertUsersSolveTheirNormalEquations(m, t, params(implicit).build());
        if (!implicit) { // explicit: predictions are on the scale of the counts
            int r = 0;
            while (ui.rowEnd(r) <= 1) {
                r++; // the user of entry 1 (a count of 10⁹; entry 0 is a 1)
            }
            // the exact check is the normal equations above; this one says the scale survived: the one entry of 1
            // in a matrix of 10⁹ pulls a rank-4 fit by 0.25 % (measured), far inside 1 %
            assertEquals(1e9, m.predict(r, ui.colIdx()[1]), 1e7);
        }
    }

    @ParameterizedTest(name = "implicit {0}")
    @ValueSource(booleans = {false, true})
    void allEqualRatings(boolean implicit) {
        SparkStyleData d = SparkStyleData.explicit(30, 20, 2, 0.0, 9);
        float[] v = new float[d.train.nnz()];
        Arrays.fill(v, 3);
        Interactions t = withValues(d.train, v);
        AlsModel m = fitFinite(t, params(implicit).build());
        assertUsersSolveTheirNormalEquations(m, t, params(implicit).build());
        if (!implicit) { // the exact check is above; a constant 3 is predicted as 3, shrunk by regParam (2.88)
            Csr ui = d.train.userItems();
            assertEquals(3, m.predict(0, ui.colIdx()[ui.rowStart(0)]), 0.5);
        }
    }

    /**
     * The users are solved last, from the final item factors: each user's factors must be the solution of its own
     * normal equations given those items, as a double-precision reference ({@link ReferenceSolve}) computes it, to
     * 10⁻⁴ relative — an independent check that large or degenerate values lose nothing in float32.
     */
    static void assertUsersSolveTheirNormalEquations(AlsModel m, Interactions t, AlsParams p) {
        int k = p.rank();
        Csr ui = t.userItems();
        float[] items = m.itemFactors().data();
        int checked = 0;
        for (int u = 0; u < ui.rows(); u++) {
            if (ui.rowLength(u) == 0) {
                continue;
            }
            double[] ref = ReferenceSolve.row(ui, u, items, ui.cols(), k, p);
            double norm = 0;
            for (double x : ref) {
                norm = Math.max(norm, Math.abs(x));
            }
            for (int d = 0; d < k; d++) {
                assertEquals(ref[d], m.userFactors().get(u, d), 1e-4 * norm, "user " + u + " dim " + d);
            }
            checked++;
        }
        assertEquals(ui.nonEmptyRows().cardinality(), checked);
        assertTrue(checked > 0);
    }

    @ParameterizedTest(name = "implicit {0}")
    @ValueSource(booleans = {false, true})
    void aSingleUser(boolean implicit) {
        Interactions t = data(1, 6, new int[] {0, 0, 0}, new int[] {0, 2, 4}, new float[] {5, 1, 3});
        AlsModel m = fitFinite(t, params(implicit).rank(3).build());
        assertEquals(3, m.recommendForAllUsers(10, null).count(0)); // items 1, 3 and 5 have no factors
        assertEquals(0, m.recommendForAllUsers(10, t.userItems()).count(0)); // and the user heard the others
    }

    /**
     * Many users with one item each (a long-tail log): 5·10⁵ users in CI (≈ 3 s); {@code -Dencore.edge.users=10000000}
     * runs the 10⁷ (with a larger test heap: {@code -Dencore.test.heap=8g}).
     */
    @Test
    void manyUsersWithOneItemEach() {
        int n = Integer.getInteger("encore.edge.users", 500_000);
        int items = 1000;
        int[] u = new int[n];
        int[] i = new int[n];
        float[] v = new float[n];
        for (int k = 0; k < n; k++) {
            u[k] = k;
            i[k] = (int) ((k * 2654435761L) % items);
            v[k] = 1 + (k & 3);
        }
        Interactions t = Interactions.fromCoordinates(lazyLabels(n), SparkStyleData.labels(items), u, i, v);
        AlsModel m = SparkStyleData.fit(t, params(true).rank(4).maxIter(2).build());
        for (float f : m.userFactors().data()) {
            assertTrue(Float.isFinite(f));
        }
        assertEquals(
                4,
                m.recommendForUsers(new String[] {label(n - 1)}, 4, t.userItems())
                        .lists()
                        .count(0));
    }

    static String label(int k) {
        String digits = Integer.toString(k);
        return "u" + "00000000".substring(Math.min(8, digits.length())) + digits;
    }

    /** {@code u00000000}, {@code u00000001}, …: all frequency 1, already in label order. */
    static LabelIndex lazyLabels(int n) {
        String[] l = new String[n];
        int[] f = new int[n];
        for (int k = 0; k < n; k++) {
            l[k] = label(k);
            f[k] = 1;
        }
        return LabelIndex.ofOrdered(l, f);
    }

    /**
     * A backend that breaks after three good half-iterations ({@link BrokenBackendProvider}: the CPU engine, with a NaN
     * written into user 1 by the fourth): the trainer's guard names the entity and the iteration.
     */
    @Test
    void nonFiniteFactorsStopTheFitWithAClearError() {
        SparkStyleData d = SparkStyleData.explicit(10, 8, 2, 0.0, 1);
        AlsParams p = params(false).build();
        AlsException e = assertThrows(
                AlsException.class,
                () -> Als.with(p).backend(BrokenBackendProvider.NAME).threads(2).fit(d.train));
        assertTrue(
                e.getMessage().matches("user '\\d+' \\(index 1\\) has a non-finite factor after iteration 2;.*"),
                e.getMessage());
    }

    /**
     * Bit-identical factors and lists whatever the thread count, for each solver, with Encore's and Spark's
     * initialisation ({@code --init spark} draws its factors per block) and with NNLS ({@code --nonnegative}).
     */
    @ParameterizedTest(name = "init {0}, nonnegative {1}")
    @org.junit.jupiter.params.provider.CsvSource({"encore,false", "spark,false", "encore,true", "spark,true"})
    void sameSeedGivesBitIdenticalFactorsAndListsAcrossRunsAndThreadCounts(String init, boolean nonnegative) {
        SparkStyleData d = SparkStyleData.implicit(120, 90, 3, 0.1, 11);
        int fits = 0;
        for (boolean implicit : new boolean[] {false, true}) {
            for (AlsParams.Solver solver : AlsParams.Solver.values()) {
                if (solver == AlsParams.Solver.CG && (!implicit || nonnegative)) {
                    continue; // CG is implicit-only; NNLS has its own solver
                }
                AlsParams base = params(implicit)
                        .rank(6)
                        .solver(solver)
                        .init(AlsParams.Init.parse(init))
                        .nonnegative(nonnegative)
                        .build();
                fits++;
                AlsModel ref = SparkStyleData.fit(d.train, base, 1);
                Recommendations refRecs = ref.recommendForAllUsers(10, d.train.userItems());
                for (int threads : new int[] {1, 2, 8}) {
                    AlsModel m = SparkStyleData.fit(d.train, base, threads);
                    String what = "init " + init + ", nonnegative " + nonnegative + ", implicit " + implicit + ", "
                            + solver + ", " + threads + " threads";
                    assertArrayEquals(ref.userFactors().data(), m.userFactors().data(), what);
                    assertArrayEquals(ref.itemFactors().data(), m.itemFactors().data(), what);
                    assertEquals(ref.userFactors(), m.userFactors(), what);
                    assertEquals(ref.itemFactors(), m.itemFactors(), what);
                    Recommendations r = m.recommendForAllUsers(10, d.train.userItems());
                    for (int u = 0; u < r.rows(); u++) {
                        assertArrayEquals(refRecs.ids(u), r.ids(u), what);
                        assertArrayEquals(refRecs.scores(u), r.scores(u), what);
                    }
                }
            }
        }
        assertEquals(nonnegative ? 2 : 3, fits, "fits compared");
    }
}
