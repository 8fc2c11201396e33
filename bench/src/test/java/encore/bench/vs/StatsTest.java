package encore.bench.vs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatsTest {
    @Test
    void medianOfOddAndEvenCountsAndNothing() {
        assertEquals(2.0, Stats.median(new double[] {3, 1, 2}));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 3, 2}));
        assertEquals(7.0, Stats.median(new double[] {7}));
        assertTrue(Double.isNaN(Stats.median(new double[0])));
    }

    @Test
    void medianLeavesTheInputAlone() {
        double[] v = {3, 1, 2};
        Stats.median(v);
        assertEquals(3.0, v[0]);
    }

    @Test
    void ratioIsNaNWithoutAPositiveDenominator() {
        assertEquals(4.0, Stats.ratio(8, 2));
        assertTrue(Double.isNaN(Stats.ratio(1, 0)));
        assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 1)));
        assertTrue(Double.isNaN(Stats.ratio(1, Double.NaN)));
    }
}
