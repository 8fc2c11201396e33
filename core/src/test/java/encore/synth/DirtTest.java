package encore.synth;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link Dirt}: the documented shares, and the exact draw the generator's output depends on. */
class DirtTest {
    /** The draw as first written, with its thresholds as literals (ordinal order of the kinds). */
    private static Dirt reference(double d, double rate) {
        double inv = rate > 0 ? 1.0 / rate : 0.0;
        if (d >= rate) {
            return Dirt.CLEAN;
        }
        double x = d * inv;
        if (x < 0.30) {
            return Dirt.DUPLICATE;
        } else if (x < 0.70) {
            return Dirt.values()[Dirt.EMPTY_USER.ordinal() + Math.min(4, (int) ((x - 0.30) * 12.5))];
        } else if (x < 0.85) {
            return Dirt.CUT_AFTER_TRACK;
        }
        return Dirt.CUT_AFTER_ARTIST;
    }

    @Test
    void bandsAreTheDocumentedShares() {
        assertEquals(0.30, Dirt.DUPLICATE_SHARE);
        assertEquals(0.40, Dirt.EMPTY_FIELD_SHARE);
        assertEquals(0.15, Dirt.CUT_AFTER_TRACK_SHARE);
        // exact in binary, so the band edges are the literals 0.30, 0.70 and 0.85 and the field scale 5 / 0.40 = 12.5
        assertEquals(0.70, Dirt.DUPLICATE_SHARE + Dirt.EMPTY_FIELD_SHARE);
        assertEquals(0.85, Dirt.DUPLICATE_SHARE + Dirt.EMPTY_FIELD_SHARE + Dirt.CUT_AFTER_TRACK_SHARE);
        assertEquals(12.5, 5 / Dirt.EMPTY_FIELD_SHARE);

        // the share of each kind over an even grid of x in [0, 1)
        int n = 1_000_000;
        int[] count = new int[Dirt.values().length];
        for (int i = 0; i < n; i++) {
            count[Dirt.draw((i + 0.5) / n, 1.0, 1.0).ordinal()]++;
        }
        double[] expected = {0, 0.30, 0.08, 0.08, 0.08, 0.08, 0.08, 0.15, 0.15};
        for (Dirt k : Dirt.values()) {
            assertEquals(expected[k.ordinal()], (double) count[k.ordinal()] / n, 1e-5, k.name());
        }
    }

    @Test
    void drawMatchesTheOriginalThresholdsExactly() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] rates = {0.0, 0.005, 0.01, 0.2, 0.3, 0.5};
        for (double rate : rates) {
            double inv = rate > 0 ? 1.0 / rate : 0.0;
            for (int i = 0; i < 200_000; i++) {
                double d = i % 2 == 0 ? rnd.nextDouble() : rnd.nextDouble() * rate;
                assertSame(reference(d, rate), Dirt.draw(d, rate, inv), "d " + d + ", rate " + rate);
            }
            // the band edges and their neighbours
            for (double edge : new double[] {0.30, 0.38, 0.46, 0.54, 0.62, 0.70, 0.85}) {
                for (double x : new double[] {Math.nextDown(edge), edge, Math.nextUp(edge)}) {
                    double d = x * rate;
                    assertSame(reference(d, rate), Dirt.draw(d, rate, inv), "x " + x + ", rate " + rate);
                }
            }
        }
    }

    @Test
    void onlyCleanRowsAndEmptyDatesAreValidPlays() {
        for (Dirt k : Dirt.values()) {
            assertEquals(k == Dirt.CLEAN || k == Dirt.EMPTY_DATE, k.validPlay, k.name());
            assertEquals(k.ordinal() <= Dirt.EMPTY_DATE.ordinal(), k.wholeTail, k.name());
        }
    }
}
