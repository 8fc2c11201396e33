package encore.data;

/**
 * How to divide the (user, item) pairs into train and test.
 *
 * @param kind     none, random or per-user holdout
 * @param fraction test fraction, in (0, 1) unless kind is NONE
 * @param seed     seed of the pair hash
 */
public record SplitSpec(Kind kind, double fraction, long seed) {
    /** The split methods. */
    public enum Kind {
        /** Everything is training data. */
        NONE,
        /** Each pair goes to test with probability {@code fraction}, decided by a hash of (seed, user, item). */
        RANDOM,
        /** Each user with at least {@link #MIN_HOLDOUT_ITEMS} items keeps a {@code fraction} of them for test. */
        HOLDOUT
    }

    /** Users with fewer distinct items than this are not held out from. */
    public static final int MIN_HOLDOUT_ITEMS = 5;

    /** Validates that a kind is set and, unless it is NONE, that the fraction is in (0, 1). */
    public SplitSpec {
        if (kind == null) {
            throw new IllegalArgumentException("split kind must be set");
        }
        if (kind != Kind.NONE && !(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("split fraction must be in (0, 1), got " + fraction);
        }
    }

    /** No split: everything is training data. */
    public static SplitSpec none() {
        return new SplitSpec(Kind.NONE, 0, 0);
    }

    /** A random split with test fraction {@code testFraction} and seed {@code seed}. */
    public static SplitSpec random(double testFraction, long seed) {
        return new SplitSpec(Kind.RANDOM, testFraction, seed);
    }

    /** A per-user holdout of a {@code testFraction} of each user's items, with seed {@code seed}. */
    public static SplitSpec holdout(double testFraction, long seed) {
        return new SplitSpec(Kind.HOLDOUT, testFraction, seed);
    }
}
