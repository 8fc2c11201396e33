package encore.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RegressionMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void handComputed() {
        // e = 0.5, 0, -2 -> Σe² = 4.25, Σ|e| = 2.5
        RegressionMetrics m = RegressionMetrics.of(new float[] {3f, 1f, 4f}, new float[] {2.5f, 1f, 6f});
        assertEquals(3, m.count());
        assertEquals(4.25 / 3, m.mse(), EPS);
        assertEquals(Math.sqrt(4.25 / 3), m.rmse(), EPS);
        assertEquals(2.5 / 3, m.mae(), EPS);
    }

    @Test
    void streamingEqualsBatchAndMerge() {
        RegressionMetrics a = new RegressionMetrics();
        a.add(3, 2.5);
        RegressionMetrics b = new RegressionMetrics();
        b.add(1, 1);
        b.add(4, 6);
        a.merge(b);
        assertEquals(3, a.count());
        assertEquals(Math.sqrt(4.25 / 3), a.rmse(), EPS);
        assertEquals(2.5 / 3, a.mae(), EPS);
    }

    @Test
    void nanPredictionPropagates() {
        RegressionMetrics m = RegressionMetrics.of(new float[] {1f, 2f}, new float[] {1f, Float.NaN});
        assertEquals(2, m.count());
        assertTrue(Double.isNaN(m.rmse()));
        assertTrue(Double.isNaN(m.mae()));
        assertTrue(Double.isNaN(m.mse()));
    }

    @Test
    void emptyIsNaN() {
        RegressionMetrics m = new RegressionMetrics();
        assertEquals(0, m.count());
        assertTrue(Double.isNaN(m.rmse()));
        assertTrue(Double.isNaN(m.mae()));
        assertTrue(Double.isNaN(m.mse()));
        assertTrue(Double.isNaN(RegressionMetrics.of(new float[0], new float[0]).rmse()));
    }

    @Test
    void perfectPredictionsAreZero() {
        RegressionMetrics m = RegressionMetrics.of(new float[] {1f, 5f}, new float[] {1f, 5f});
        assertEquals(0.0, m.rmse());
        assertEquals(0.0, m.mae());
    }

    @Test
    void lengthMismatchRejected() {
        assertThrows(
                IllegalArgumentException.class, () -> RegressionMetrics.of(new float[] {1f}, new float[] {1f, 2f}));
    }
}
