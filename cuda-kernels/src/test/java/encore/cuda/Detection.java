package encore.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongPredicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection-rate bookkeeping for the checker's fault-injection trials: runs seeded trials of one fault kind, prints
 * the measured rate next to the rate {@code docs/reliability.md} claims, and collects the kinds below their claim. A
 * claim of 1 must hold in every trial; a probabilistic claim p must be met within three binomial standard deviations
 * (the trials are seeded, so the outcome is the same on every run; the margin only keeps an honest p from being
 * asserted as a point value).
 */
final class Detection {
    private final String area;
    private final List<String> belowClaim = new ArrayList<>();

    Detection(String area) {
        this.area = area;
    }

    /**
     * Runs {@code trials} trials (seeds 0 … trials − 1) of fault kind {@code kind}; {@code detected} says whether the
     * checker caught the fault planted with that seed.
     */
    void measure(String kind, int trials, double claimed, LongPredicate detected) {
        int hits = 0;
        for (long t = 0; t < trials; t++) {
            if (detected.test(t)) {
                hits++;
            }
        }
        double rate = (double) hits / trials;
        double needed = claimed >= 1 ? trials : trials * claimed - 3 * Math.sqrt(trials * claimed * (1 - claimed));
        String line = String.format(
                Locale.ROOT,
                "detection %s: %s: %d/%d detected (%.1f %%), claimed %s%.1f %%",
                area,
                kind,
                hits,
                trials,
                100 * rate,
                claimed >= 1 ? "" : "≈ ",
                100 * claimed);
        System.out.println(line);
        if (hits < needed) {
            belowClaim.add(line);
        }
    }

    /** Fails naming every kind measured below its claim. */
    void assertClaimsHold() {
        assertTrue(belowClaim.isEmpty(), "below the documented detection rate:\n" + String.join("\n", belowClaim));
    }
}
