package encore.als;

import java.util.BitSet;
import java.util.Random;

/**
 * Spark MLlib's initial factors, reproduced draw for draw ({@code ALS.initialize} in Spark's {@code ALS.scala}).
 * Given the same seed, the same block count and the same integer ids, the vectors equal Spark's to the last float bit
 * (up to the rounding of the norm), so a fit started from them follows Spark's trajectory: on ill-conditioned problems
 * (explicit ALS on raw play counts with a small regParam) the starting point alone moves RMSE by more than 0.05, and
 * this is what makes a like-for-like comparison possible.
 *
 * <pre>
 * seedGen   = XORShiftRandom(seed)
 * userSeed  = seedGen.nextLong();  itemSeed = seedGen.nextLong()
 * block(id) = id mod numBlocks                          (Spark's HashPartitioner on an Int id)
 * for each block b:  rng = XORShiftRandom(byteswap64(sideSeed XOR b))
 *     for each id of b with ratings, ascending:          (the sorted srcIds of Spark's InBlock)
 *         v = (float) rng.nextGaussian(), rank times;  v = v * (1f / ‖v‖₂)
 * </pre>
 * The id of an entity is its index here: Spark's ALS sees the indices its {@code StringIndexer} assigns, and
 * {@link encore.data.LabelIndex} assigns the same ones.
 */
final class SparkInit {
    private SparkInit() {}

    /** Fills the rows of {@code has} (user side when {@code side == 0}, item side when 1) with Spark's vectors. */
    static void initialise(float[] f, BitSet has, int k, long seed, int numBlocks, int side) {
        long sideSeed = sideSeed(seed, side);
        float[] v = new float[k];
        int end = has.length();
        for (int b = 0; b < numBlocks; b++) {
            XorShiftRandom rng = blockRandom(sideSeed, b);
            for (int id = b; id < end; id += numBlocks) {
                if (has.get(id)) {
                    draw(rng, v, f, id * k, k);
                }
            }
        }
    }

    /** The seed of a side's blocks: the first (users, side 0) or second (items) long of XORShiftRandom(seed). */
    static long sideSeed(long seed, int side) {
        XorShiftRandom seedGen = new XorShiftRandom(seed);
        long userSeed = seedGen.nextLong();
        long itemSeed = seedGen.nextLong();
        return side == 0 ? userSeed : itemSeed;
    }

    /** The stream of block {@code b}. */
    static XorShiftRandom blockRandom(long sideSeed, int b) {
        return new XorShiftRandom(byteswap64(sideSeed ^ b));
    }

    /** The next vector of {@code rng} (k Gaussians, normalised as Spark does) into {@code f[o .. o+k)}. */
    static void draw(XorShiftRandom rng, float[] v, float[] f, int o, int k) {
        for (int d = 0; d < k; d++) {
            v[d] = (float) rng.nextGaussian();
        }
        float scale = 1.0f / snrm2(v, k);
        for (int d = 0; d < k; d++) {
            f[o + d] = v[d] * scale;
        }
    }

    /**
     * The L2 norm as Spark computes it ({@code snrm2} of netlib-java's pure-Java BLAS on Java 11+, which Spark uses
     * without a native BLAS): four float accumulators fed by fused multiply-adds, summed in order, then the tail.
     */
    static float snrm2(float[] x, int n) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (int end = n - n % 4; i < end; i += 4) {
            s0 = Math.fma(x[i], x[i], s0);
            s1 = Math.fma(x[i + 1], x[i + 1], s1);
            s2 = Math.fma(x[i + 2], x[i + 2], s2);
            s3 = Math.fma(x[i + 3], x[i + 3], s3);
        }
        float sum = s0 + s1 + s2 + s3;
        for (; i < n; i++) {
            sum = Math.fma(x[i], x[i], sum);
        }
        return (float) Math.sqrt(sum);
    }

    /** Scala's {@code scala.util.hashing.byteswap64}: multiply, reverse the bytes, multiply. */
    static long byteswap64(long v) {
        long hc = v * 0x9e3775cd9e3775cdL;
        hc = Long.reverseBytes(hc);
        return hc * 0x9e3775cd9e3775cdL;
    }

    /**
     * Spark's {@code XORShiftRandom}: a {@link Random} whose {@code next(bits)} is an xorshift(21, 35, 4) generator
     * seeded with a MurmurHash3 of the seed's eight big-endian bytes; {@code nextGaussian} and {@code nextLong} are
     * {@link Random}'s own, as in Spark.
     */
    static final class XorShiftRandom extends Random {
        private static final long serialVersionUID = 1L;
        private long state;

        /** Random's constructor calls {@link #setSeed}, which hashes the seed into {@code state}. */
        XorShiftRandom(long seed) {
            super(seed);
        }

        @Override
        public synchronized void setSeed(long seed) {
            state = hashSeed(seed);
        }

        @Override
        protected int next(int bits) {
            long s = state ^ (state << 21);
            s ^= s >>> 35;
            s ^= s << 4;
            state = s;
            return (int) (s & ((1L << bits) - 1));
        }

        /** Two MurmurHash3 passes over the big-endian bytes: the low word seeded with Scala's array seed. */
        static long hashSeed(long seed) {
            byte[] bytes = new byte[8];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (seed >>> (56 - 8 * i));
            }
            int low = MurmurHash3.bytesHash(bytes, MurmurHash3.ARRAY_SEED);
            int high = MurmurHash3.bytesHash(bytes, low);
            return ((long) high << 32) | (low & 0xFFFFFFFFL);
        }
    }

    /** The part of Scala's {@code scala.util.hashing.MurmurHash3} that {@code XORShiftRandom} uses. */
    static final class MurmurHash3 {
        /** {@code MurmurHash3.arraySeed}. */
        static final int ARRAY_SEED = 0x3c074a61;

        private MurmurHash3() {}

        static int bytesHash(byte[] data, int seed) {
            int len = data.length;
            int h = seed;
            int i = 0;
            while (len >= 4) {
                int k = data[i] & 0xFF;
                k |= (data[i + 1] & 0xFF) << 8;
                k |= (data[i + 2] & 0xFF) << 16;
                k |= (data[i + 3] & 0xFF) << 24;
                h = mix(h, k);
                i += 4;
                len -= 4;
            }
            int k = 0;
            if (len == 3) {
                k ^= (data[i + 2] & 0xFF) << 16;
            }
            if (len >= 2) {
                k ^= (data[i + 1] & 0xFF) << 8;
            }
            if (len >= 1) {
                k ^= data[i] & 0xFF;
                h = mixLast(h, k);
            }
            return finalizeHash(h, data.length);
        }

        private static int mix(int hash, int data) {
            int h = mixLast(hash, data);
            h = Integer.rotateLeft(h, 13);
            return h * 5 + 0xe6546b64;
        }

        private static int mixLast(int hash, int data) {
            int k = data;
            k *= 0xcc9e2d51;
            k = Integer.rotateLeft(k, 15);
            k *= 0x1b873593;
            return hash ^ k;
        }

        private static int finalizeHash(int hash, int length) {
            return avalanche(hash ^ length);
        }

        private static int avalanche(int hash) {
            int h = hash;
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return h;
        }
    }
}
