package encore.cpu;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.Interactions;
import encore.matrix.Csr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark parity in the default build: Encore's {@code --init spark} fits against goldens printed by the real Spark MLlib
 * 4.2.0 ALS ({@code bench/run spark-golden}; see {@link SparkGoldenFile}) on tiny committed data sets, after 1 … 5
 * iterations, explicit (rank 3, 3 blocks, RMSE on the training and the test ratings) and implicit (rank 4, alpha 1,
 * RMSE against the 0/1 preference over every user × item pair). No Spark on the class path: the goldens are text.
 *
 * <p>Criteria. RMSE: within {@link #RMSE_TOLERANCE} (5·10⁻⁷) of Spark's, the README's "six decimals". Factors: every
 * value within {@link #FACTOR_ULPS} float ulps of the largest |value| of its row. Why that bound: both engines build the
 * same normal equations in double from the same float factors, in different summation orders (Spark: packed {@code
 * dspr} per rating in its block order; Encore: four ratings per pass over the upper triangle, in index order, and the
 * dual or Woodbury form for short rows), and round the double solution to float; the double results differ by about
 * 10⁻¹⁶ relative, so the floats agree except where a value lies that close to a rounding boundary (a 1-ulp flip),
 * and such a flip moves later iterations by about the solve's conditioning times an ulp. Measured on these goldens: all
 * factors bit-identical to Spark's after every iteration count, RMSE within 4·10⁻¹⁶ (as close as this test's RMSE
 * formula comes to Spark's evaluator on Spark's own factors). What the bound lets through, measured by scaling every
 * λ by 1 + ε: ε = 10⁻⁹ flips up to 111 of the 240 explicit values by at most 2 row-ulps after 5 iterations, ε = 10⁻⁸
 * by at most 3.1, ε = 10⁻⁷ fails (explicit, maxIter 3); summing each row's ratings in reverse order changes no bit.
 * So a change that only reorders Encore's double sums passes, and anything that changes the arithmetic by more than
 * about 10⁻⁷ relative fails.
 */
class SparkGoldenTest {
    /** The README's claim: RMSE equal to six decimals, i.e. within half a unit of the sixth. */
    static final double RMSE_TOLERANCE = 5e-7;
    /** Per factor value, in float ulps of its row's largest magnitude (about 5·10⁻⁷ of the row's scale). */
    static final double FACTOR_ULPS = 4;

    @ParameterizedTest
    @ValueSource(strings = {"explicit", "implicit"})
    void encoreFollowsSparkForOneToFiveIterations(String name) {
        SparkGoldenFile g = SparkGoldenFile.load(name);
        assertEquals("4.2.0", g.spark());
        assertEquals(List.of(1, 2, 3, 4, 5), List.copyOf(g.fits().keySet()), "fits by maxIter");
        SparkGoldenFile.Triples train = g.data().values().iterator().next();
        int users = train.users();
        int items = train.items();
        Interactions data = train.interactions(users, items);
        assertStrategiesCovered(data, g.params());
        for (Map.Entry<Integer, SparkGoldenFile.Fit> e : g.fits().entrySet()) {
            int iter = e.getKey();
            SparkGoldenFile.Fit spark = e.getValue();
            AlsParams p = g.params().toBuilder().maxIter(iter).build();
            AlsModel m = SparkStyleData.fit(data, p, 2);
            assertEquals(users, m.usersWithFactors(), "users with factors");
            assertEquals(items, m.itemsWithFactors(), "items with factors");
            Worst worst = new Worst();
            compare("user", spark.users(), m.userFactors().data(), users, p.rank(), worst);
            compare("item", spark.items(), m.itemFactors().data(), items, p.rank(), worst);
            StringBuilder line = new StringBuilder(String.format(
                    Locale.ROOT,
                    "%s maxIter %d: factors max %.1f row-ulps, %d of %d not bit-identical;",
                    name,
                    iter,
                    worst.ulps,
                    worst.differing,
                    (users + items) * p.rank()));
            assertEquals(name.equals("explicit") ? 2 : 1, spark.rmse().size(), "RMSE values in the golden");
            for (Map.Entry<String, Double> r : spark.rmse().entrySet()) {
                double encore = rmse(r.getKey(), g, users, items, m::predict);
                double fromSpark = rmse(r.getKey(), g, users, items, (u, i) -> dot(spark, u, i));
                line.append(String.format(
                        Locale.ROOT,
                        " RMSE %s Spark %.9f Encore %.9f (Δ %.1e)",
                        r.getKey(),
                        r.getValue(),
                        encore,
                        encore - r.getValue()));
                assertEquals(r.getValue(), fromSpark, 1e-12, "this test's RMSE of Spark's own factors");
                assertEquals(r.getValue(), encore, RMSE_TOLERANCE, name + " maxIter " + iter + ": RMSE " + r.getKey());
            }
            assertTrue(
                    worst.ulps <= FACTOR_ULPS,
                    name + " maxIter " + iter + ": " + worst.differing + " factor values differ from Spark's; worst: "
                            + worst.where);
            System.out.println(line);
        }
    }

    /**
     * The data must send rows down the short-row forms too (explicit: {@link RowStrategy#DUAL} for rows with fewer
     * ratings than the rank; implicit: {@link RowStrategy#WOODBURY}), so that the golden checks them against Spark.
     */
    private static void assertStrategiesCovered(Interactions data, AlsParams p) {
        EnumMap<RowStrategy, Integer> rows = new EnumMap<>(RowStrategy.class);
        for (Csr side : new Csr[] {data.userItems(), data.itemUsers()}) {
            for (int r = 0; r < side.rows(); r++) {
                rows.merge(RowStrategy.of(side, r, p), 1, Integer::sum);
            }
        }
        RowStrategy shortRows = p.implicitPrefs() ? RowStrategy.WOODBURY : RowStrategy.DUAL;
        assertTrue(rows.getOrDefault(RowStrategy.CHOLESKY, 0) > 0, "rows solved by Cholesky: " + rows);
        assertTrue(rows.getOrDefault(shortRows, 0) > 0, "rows solved by " + shortRows + ": " + rows);
    }

    /** The largest factor difference seen, in row-ulps, where it was, and how many values are not bit-identical. */
    private static final class Worst {
        double ulps;
        long differing;
        String where = "none";
    }

    /**
     * Every factor of {@code spark} against Encore's: the same entities have factors; each value's difference in float
     * ulps of its row's largest magnitude goes into {@code worst}.
     */
    private static void compare(
            String side, TreeMap<Integer, float[]> spark, float[] encore, int n, int k, Worst worst) {
        assertEquals(n, spark.size(), side + "s with factors in Spark");
        for (Map.Entry<Integer, float[]> e : spark.entrySet()) {
            int id = e.getKey();
            float[] s = e.getValue();
            float scale = 0;
            for (float x : s) {
                scale = Math.max(scale, Math.abs(x));
            }
            for (int d = 0; d < k; d++) {
                float mine = encore[id * k + d];
                double ulps = Math.abs((double) mine - s[d]) / Math.ulp(scale);
                worst.differing += Float.floatToRawIntBits(mine) == Float.floatToRawIntBits(s[d]) ? 0 : 1;
                if (ulps > worst.ulps) {
                    worst.ulps = ulps;
                    worst.where = String.format(
                            Locale.ROOT,
                            "%s %d, dimension %d: Spark %s, Encore %s (%.1f ulps of the row's largest |value| %s)",
                            side,
                            id,
                            d,
                            s[d],
                            mine,
                            ulps,
                            scale);
                }
            }
        }
    }

    /** (user, item) → prediction. */
    interface Predictor {
        float predict(int user, int item);
    }

    private static float dot(SparkGoldenFile.Fit f, int u, int i) {
        float[] a = f.users().get(u);
        float[] b = f.items().get(i);
        float s = 0;
        for (int d = 0; d < a.length; d++) {
            s += a[d] * b[d];
        }
        return s;
    }

    /**
     * RMSE as the golden measured it: {@code train}/{@code test}: against the ratings of that data file;
     * {@code all-pairs-preference}: against p = [r &gt; 0] over every user × item pair of the training set.
     */
    private static double rmse(String on, SparkGoldenFile g, int users, int items, Predictor p) {
        double s = 0;
        long n = 0;
        if (on.equals("all-pairs-preference")) {
            SparkGoldenFile.Triples t = g.data().values().iterator().next();
            float[][] pref = new float[users][items];
            for (int q = 0; q < t.value().length; q++) {
                pref[t.user()[q]][t.item()[q]] = t.value()[q] > 0 ? 1 : 0;
            }
            for (int u = 0; u < users; u++) {
                for (int i = 0; i < items; i++) {
                    double e = pref[u][i] - (double) p.predict(u, i);
                    s += e * e;
                    n++;
                }
            }
        } else {
            SparkGoldenFile.Triples t = g.data().get(on.equals("train") ? "explicit-train.tsv" : "explicit-test.tsv");
            for (int q = 0; q < t.value().length; q++) {
                double e = t.value()[q] - (double) p.predict(t.user()[q], t.item()[q]);
                s += e * e;
                n++;
            }
        }
        assertTrue(n > 0, "no pairs to measure RMSE on");
        return Math.sqrt(s / n);
    }
}
