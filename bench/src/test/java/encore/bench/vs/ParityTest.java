package encore.bench.vs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParityTest {
    private static Results withMetric(String engine, String name, double v) {
        return new Results(engine, "x").metric(name, v);
    }

    @Test
    void rmseMayExceedSparksByAtMostTheTolerance() {
        assertTrue(Parity.pass(Parity.checks(withMetric("encore", "rmse", 0.924), withMetric("spark", "rmse", 0.92))));
        assertFalse(Parity.pass(Parity.checks(withMetric("encore", "rmse", 0.926), withMetric("spark", "rmse", 0.92))));
        // better than Spark by any amount passes
        assertTrue(Parity.pass(
                Parity.checks(withMetric("encore", "rmse_r10", 0.80), withMetric("spark", "rmse_r10", 0.92))));
        assertFalse(Parity.pass(
                Parity.checks(withMetric("encore", "rmse", Double.NaN), withMetric("spark", "rmse", 0.92))));
    }

    @Test
    void rankingMetricsMayFallShortByAtMostTwoPercentRelative() {
        assertTrue(Parity.pass(
                Parity.checks(withMetric("encore", "ndcg_at_10", 0.1961), withMetric("spark", "ndcg_at_10", 0.2))));
        assertFalse(Parity.pass(
                Parity.checks(withMetric("encore", "ndcg_at_10", 0.1959), withMetric("spark", "ndcg_at_10", 0.2))));
        assertTrue(Parity.pass(Parity.checks(
                withMetric("encore", "precision_at_10", 0.5), withMetric("spark", "precision_at_10", 0.2))));
    }

    @Test
    void baselineMaeAndOneSidedMetricsAreNotChecked() {
        Results e = new Results("encore", "x")
                .metric("popularity_precision_at_10", 0.01)
                .metric("mae", 5)
                .metric("rmse", 0.5);
        Results s = new Results("spark", "x").metric("mae", 0.1);
        assertEquals(List.of(), Parity.checks(e, s));
    }

    @Test
    void differentDataFails() {
        Results e = new Results("encore", "x").info("train_pairs", 100).info("test_pairs", 10);
        Results s = new Results("spark", "x").info("train_pairs", 99).info("test_pairs", 10);
        List<Parity.Check> c = Parity.checks(e, s);
        assertEquals(2, c.size());
        assertFalse(Parity.pass(c));
        // -1: not measured on that side; equal data alone is no comparison of quality
        s.info("train_pairs", -1);
        assertEquals(1, Parity.checks(e, s).size());
        assertTrue(Parity.checks(e, s).get(0).pass());
        assertFalse(Parity.pass(Parity.checks(e, s)));
        e.metric("rmse", 0.9);
        s.metric("rmse", 0.9);
        assertTrue(Parity.pass(Parity.checks(e, s)));
    }

    @Test
    void anEmptyComparisonFails() {
        assertFalse(Parity.pass(List.of()));
        assertFalse(Parity.pass(Parity.checks(new Results("encore", "x"), new Results("spark", "x"))));
        assertFalse(Parity.pass(Parity.checks(withMetric("encore", "mae", 0.1), withMetric("spark", "mae", 0.1))));
    }
}
