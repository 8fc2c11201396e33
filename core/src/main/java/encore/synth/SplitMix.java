package encore.synth;

import encore.internal.Hashing;

/**
 * A tiny SplitMix64 generator with fully specified derived draws.
 *
 * <p>The JDK's generators are fine, but the algorithms behind their bounded and Gaussian draws are not part of their
 * contract, so a file generated on one JDK could differ from the same file generated on another. Every draw here is
 * defined in this class (and transcendental functions go through {@link DMath}), so a configuration maps to the same
 * bytes everywhere.
 */
final class SplitMix {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private long state;

    SplitMix(long seed) {
        this.state = seed;
    }

    /** A generator for stream {@code index} of {@code seed} under a purpose {@code salt}; streams are independent. */
    static SplitMix stream(long seed, long salt, long index) {
        return new SplitMix(Hashing.mix64(Hashing.mix64(seed ^ salt) + GOLDEN * (index + 1)));
    }

    long nextLong() {
        return Hashing.mix64(state += GOLDEN);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound) for bound &gt; 0 (multiply-shift; the bias is below 2^-32 for the bounds used here). */
    int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Standard exponential (mean 1). */
    double nextExp() {
        return -DMath.log(1.0 - nextDouble());
    }

    /**
     * Standard normal by Marsaglia's polar method (the second variate of the pair is discarded to keep the state a
     * single long). {@link Math#sqrt} is correctly rounded, hence deterministic.
     */
    double nextGaussian() {
        double x;
        double y;
        double s;
        do {
            x = 2.0 * nextDouble() - 1.0;
            y = 2.0 * nextDouble() - 1.0;
            s = x * x + y * y;
        } while (s >= 1.0 || s == 0.0);
        return x * Math.sqrt(-2.0 * DMath.log(s) / s);
    }
}
