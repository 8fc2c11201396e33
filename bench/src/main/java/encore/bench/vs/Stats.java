package encore.bench.vs;

import java.util.Arrays;

/** Medians and ratios of timings. */
public final class Stats {
    private Stats() {}

    /** The median (the mean of the two middle values for an even count); NaN for no values. */
    public static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** a / b, or NaN when either is NaN or b is not positive. */
    public static double ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || !(b > 0)) {
            return Double.NaN;
        }
        return a / b;
    }
}
