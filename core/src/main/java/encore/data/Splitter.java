package encore.data;

import encore.internal.Hashing;

/**
 * Deterministic train/test splits of indexed plays.
 *
 * <p>Each pair gets a 64-bit hash {@code h(seed, user label, item label)}: a string hash of each label mixed with the
 * seed by SplitMix64's finalizer. Because it depends on the labels, not on indices, thread counts, chunking or
 * {@code --limit}, the same pair always lands on the same side for the same seed. With {@code u = h / 2⁶⁴ ∈ [0, 1)}:
 * <ul>
 *   <li><b>random</b>: the pair is a test pair iff {@code u < fraction} (sizes are binomial, like Spark's
 *       {@code randomSplit}, whose exact draws depend on partitioning and cannot be reproduced elsewhere);</li>
 *   <li><b>holdout</b>: a user with n ≥ 5 items holds out {@code k = clamp(round(fraction·n), 1, n−1)} items, those
 *       with the smallest hashes (ties by item index); users with fewer items keep everything in train.</li>
 * </ul>
 */
public final class Splitter {
    private Splitter() {}

    /** Splits {@code plays} into train and test as {@code spec} says (all train, empty test for NONE). */
    public static Split split(IndexedPlays plays, SplitSpec spec) {
        return split(plays, spec, 1);
    }

    /** As {@link #split(IndexedPlays, SplitSpec)}, users in parallel blocks on {@code threads} threads. */
    static Split split(IndexedPlays plays, SplitSpec spec, int threads) {
        int pairs = plays.pairs();
        boolean[] test = new boolean[pairs];
        if (spec.kind() == SplitSpec.Kind.NONE) {
            return new Split(plays, plays.select(test, true));
        }
        long[] userHash = labelHashes(plays.users(), spec.seed());
        long[] itemHash = labelHashes(plays.items(), ~spec.seed());
        int nUsers = plays.users().size();
        double f = spec.fraction();
        int blocks = Math.max(1, Math.min(nUsers, threads * 8));
        if (spec.kind() == SplitSpec.Kind.RANDOM) {
            encore.internal.Parallel.forEachUnchecked(threads, blocks, b -> {
                for (int u = block(nUsers, b, blocks), to = block(nUsers, b + 1, blocks); u < to; u++) {
                    for (int k = plays.rowStart(u); k < plays.rowEnd(u); k++) {
                        test[k] = unit(pairHash(userHash[u], itemHash[plays.item(k)])) < f;
                    }
                }
            });
        } else {
            encore.internal.Parallel.forEachUnchecked(
                    threads, blocks, b -> holdout(plays, test, f, userHash, itemHash, b, blocks));
        }
        return plays.partition(test);
    }

    /** The start of block {@code b} of {@code n} users cut into {@code blocks}. */
    private static int block(int n, int b, int blocks) {
        return (int) ((long) n * b / blocks);
    }

    /** Marks the test pairs of block {@code b} of the users under a holdout split. */
    private static void holdout(
            IndexedPlays plays, boolean[] test, double f, long[] userHash, long[] itemHash, int b, int blocks) {
        int nUsers = plays.users().size();
        for (int u = block(nUsers, b, blocks), to = block(nUsers, b + 1, blocks); u < to; u++) {
            int s = plays.rowStart(u);
            int n = plays.rowEnd(u) - s;
            if (n < SplitSpec.MIN_HOLDOUT_ITEMS) {
                continue;
            }
            if (n >= 1 << 24) {
                throw new IllegalArgumentException("user " + plays.users().label(u) + " has " + n
                        + " items; holdout supports at most 16,777,215 per user");
            }
            int k = (int) Math.max(1, Math.min(n - 1, Math.round(f * n)));
            long[] keyed = new long[n];
            // order by hash (high 40 bits), then by position (low bits) for a total order
            for (int j = 0; j < n; j++) {
                long h = pairHash(userHash[u], itemHash[plays.item(s + j)]);
                keyed[j] = ((h >>> 24) << 24) | j;
            }
            java.util.Arrays.sort(keyed);
            for (int j = 0; j < k; j++) {
                test[s + (int) (keyed[j] & 0xFFFFFF)] = true;
            }
        }
    }

    /** Each label's hash under {@code seed}, from the index's {@link LabelIndex#stringHashes} (no string is read). */
    private static long[] labelHashes(LabelIndex index, long seed) {
        long[] s = index.stringHashes();
        long m = Hashing.mix64(seed);
        long[] h = new long[s.length];
        for (int i = 0; i < h.length; i++) {
            h[i] = Hashing.mix64(s[i] ^ m);
        }
        return h;
    }

    static long pairHash(long userHash, long itemHash) {
        return Hashing.mix64(userHash * 0x9E3779B97F4A7C15L + itemHash);
    }

    /** The top 53 bits as a double in [0, 1). */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** FNV-1a over UTF-16 code units, 64-bit. */
    static long stringHash64(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0, n = s.length(); i < n; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
