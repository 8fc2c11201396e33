package encore.synth;

/**
 * The timestamps of a user's plays (see {@code docs/generator.md}, "Clock"): epoch milliseconds, strictly increasing,
 * inside 2005–2009, grouped into listening sessions.
 *
 * <p>The user's active window covers a fraction {@code 0.1 + 0.9 √U} of the five years, placed uniformly. Inside a
 * session consecutive plays are one track length apart, 150–330 s (mean 240 s); with probability
 * {@link #SESSION_BREAK} the session ends and a break of ten minutes plus an exponential of mean {@code β} follows.
 * {@code β} is chosen so that the expected span of the user's plays fills the window:
 * {@code n (1 − p) · 240 s + n p (600 s + β) = span}, at least 30 minutes. Plays that would run past the end of 2009
 * are rescaled into the window (keeping them strictly increasing).
 */
final class SessionClock {
    /** 2005-01-01T00:00:00Z in epoch milliseconds. */
    static final long T0 = 1_104_537_600_000L;
    /** 2010-01-01T00:00:00Z in epoch milliseconds (exclusive end). */
    static final long T1 = 1_262_304_000_000L;
    /** Probability {@code p} that a play ends its session (the next one comes after a break). */
    static final double SESSION_BREAK = 0.12;

    private SessionClock() {}

    /** Fills {@code times[0, n)} with strictly increasing epoch milliseconds inside 2005–2009. */
    static void fillTimes(SplitMix r, int n, long[] times) {
        double range = T1 - T0;
        double span = range * (0.1 + 0.9 * Math.sqrt(r.nextDouble()));
        long start = T0 + (long) ((range - span) * r.nextDouble());
        double withinMean = 240_000.0;
        double beta = Math.max(
                1_800_000.0,
                (span - n * (1 - SESSION_BREAK) * withinMean) / Math.max(1.0, n * SESSION_BREAK) - 600_000.0);
        long t = start;
        times[0] = t;
        for (int i = 1; i < n; i++) {
            if (r.nextDouble() < SESSION_BREAK) {
                t += 600_000L + (long) (beta * r.nextExp());
            } else {
                t += 150_000L + r.nextInt(180_000);
            }
            times[i] = t;
        }
        long end = T1 - 1;
        if (times[n - 1] > end) {
            double scale = (double) (end - start) / (double) (times[n - 1] - start);
            for (int i = 1; i < n; i++) {
                long v = start + (long) ((times[i] - start) * scale);
                times[i] = v > times[i - 1] ? v : times[i - 1] + 1;
            }
        }
    }
}
