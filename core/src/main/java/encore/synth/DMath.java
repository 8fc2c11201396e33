package encore.synth;

/**
 * Deterministic {@code exp}, {@code log} and {@code pow} built from IEEE-754 basic operations only.
 *
 * <p>{@link Math}'s transcendental functions may differ in the last bit between JVMs and CPUs, and {@link StrictMath}
 * is exact-to-fdlibm but slow on many JVMs (a native call per evaluation). Since Java 17 every floating-point
 * operation is strict, so these short polynomial versions give the same bits everywhere, at a few nanoseconds each;
 * their relative error (below 1e-15) is irrelevant for sampling.
 */
final class DMath {
    private DMath() {}

    private static final double LN2 = 0.6931471805599453;
    private static final double LN2_HI = 0.6931471803691238;
    private static final double LN2_LO = 1.9082149292705877e-10;
    private static final double INV_LN2 = 1.4426950408889634;
    private static final double SQRT2 = 1.4142135623730951;

    /** e^x for x in roughly [-700, 700] (clamped outside). */
    static double exp(double x) {
        if (x != x) {
            return x;
        }
        if (x > 700) {
            x = 700;
        } else if (x < -700) {
            x = -700;
        }
        double kd = Math.floor(x * INV_LN2 + 0.5);
        int k = (int) kd;
        double r = (x - kd * LN2_HI) - kd * LN2_LO; // |r| <= ~0.347
        // Taylor series of e^r to degree 13 (truncation error below 4e-18 relative).
        double p = 1.0 / 6227020800.0;
        p = p * r + 1.0 / 479001600.0;
        p = p * r + 1.0 / 39916800.0;
        p = p * r + 1.0 / 3628800.0;
        p = p * r + 1.0 / 362880.0;
        p = p * r + 1.0 / 40320.0;
        p = p * r + 1.0 / 5040.0;
        p = p * r + 1.0 / 720.0;
        p = p * r + 1.0 / 120.0;
        p = p * r + 1.0 / 24.0;
        p = p * r + 1.0 / 6.0;
        p = p * r + 0.5;
        p = p * r + 1.0;
        p = p * r + 1.0;
        return Math.scalb(p, k);
    }

    /** Natural logarithm for x &gt; 0 (NaN for x &lt; 0 or NaN, -infinity for 0). */
    static double log(double x) {
        if (!(x > 0)) {
            return x == 0 ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        int e = 0;
        if (x < Double.MIN_NORMAL) {
            x *= 0x1.0p54;
            e = -54;
        }
        int ex = Math.getExponent(x);
        double m = Math.scalb(x, -ex); // [1, 2)
        e += ex;
        if (m > SQRT2) {
            m *= 0.5;
            e++;
        }
        // log m = 2 atanh(t) with t = (m - 1) / (m + 1), |t| <= 0.1716.
        double t = (m - 1.0) / (m + 1.0);
        double t2 = t * t;
        double s = 1.0 / 23;
        s = s * t2 + 1.0 / 21;
        s = s * t2 + 1.0 / 19;
        s = s * t2 + 1.0 / 17;
        s = s * t2 + 1.0 / 15;
        s = s * t2 + 1.0 / 13;
        s = s * t2 + 1.0 / 11;
        s = s * t2 + 1.0 / 9;
        s = s * t2 + 1.0 / 7;
        s = s * t2 + 1.0 / 5;
        s = s * t2 + 1.0 / 3;
        s = s * t2 + 1.0;
        return e * LN2 + 2.0 * t * s;
    }

    /** x^y for x &gt; 0. */
    static double pow(double x, double y) {
        return exp(y * log(x));
    }
}
