package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link SparkInit} against values printed by Spark MLlib 4.2.0 itself (Scala 2.13, Java 17, no native BLAS):
 * {@code new XORShiftRandom(42)}, {@code scala.util.hashing.byteswap64(42)} and
 * {@code new ALS().setRank(5).setMaxIter(0).setSeed(42).setNumBlocks(3)} fitted on the ratings (user, item) =
 * (0,1) (1,0) (2,3) (10,1) (13,2) (13,0). {@code bench/run spark-init-check} (run by CI) repeats the comparison
 * against the live Spark on random data, seeds, block counts and ranks.
 */
class SparkInitTest {
    @Test
    void xorShiftRandomAndByteswapMatchSpark() {
        SparkInit.XorShiftRandom r = new SparkInit.XorShiftRandom(42);
        assertEquals(1907851442491015307L, r.nextLong());
        assertEquals(0.036849333581687405, r.nextGaussian());
        assertEquals(-116552790, r.nextInt());
        assertEquals(-370030241184497103L, SparkInit.byteswap64(42));
    }

    @Test
    void initialFactorsMatchSparkAlsWithMaxIterZero() {
        int k = 5;
        BitSet users = bits(0, 1, 2, 10, 13);
        BitSet items = bits(0, 1, 2, 3);
        float[] uf = new float[14 * k];
        float[] itf = new float[4 * k];
        SparkInit.initialise(uf, users, k, 42, 3, 0);
        SparkInit.initialise(itf, items, k, 42, 3, 1);
        // user 10 (block 1, after user 1) and user 13 (block 1, third): the per-block streams and the sorted ids
        assertArrayEquals(new float[] {0.22753356f, -0.33006912f, 0.3663109f, -0.7658616f, -0.3443184f}, row(uf, 0, k));
        assertArrayEquals(new float[] {-0.55469006f, -0.529433f, -0.27958035f, 0.553562f, 0.1656002f}, row(uf, 1, k));
        assertArrayEquals(
                new float[] {-0.61412436f, -0.6843811f, 0.31080952f, -0.21617854f, 0.10553678f}, row(uf, 2, k));
        assertArrayEquals(new float[] {0.8778412f, 0.12324918f, 0.1166159f, 0.15424728f, 0.42049137f}, row(uf, 10, k));
        assertArrayEquals(
                new float[] {-0.17800954f, 0.17531419f, -0.800027f, -0.49403152f, 0.23122974f}, row(uf, 13, k));
        assertArrayEquals(new float[] {0.4614288f, -0.0482914f, 0.45180392f, 0.6340125f, -0.42267337f}, row(itf, 0, k));
        assertArrayEquals(
                new float[] {-0.8761883f, -0.34634778f, -0.030081578f, 0.2787625f, -0.18364066f}, row(itf, 1, k));
        assertArrayEquals(
                new float[] {0.011264803f, 0.1033235f, -0.28797078f, 0.36542487f, -0.8790533f}, row(itf, 2, k));
        assertArrayEquals(
                new float[] {0.40795964f, -0.3484775f, -0.4311458f, -0.012234254f, 0.7253248f}, row(itf, 3, k));
        for (int id = 3; id < 10; id++) {
            assertArrayEquals(new float[k], row(uf, id, k), "ids without ratings get no factors");
        }
    }

    /** A block's vectors depend only on the seed, the block and the ids in that block, in ascending order. */
    @Test
    void blocksAreIndependentAndVectorsAreUnitLength() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 2000;
        int k = 12;
        int blocks = 10;
        BitSet all = new BitSet();
        for (int id = 0; id < n; id++) {
            if (rnd.nextInt(3) > 0) {
                all.set(id);
            }
        }
        BitSet oneBlockMissing = (BitSet) all.clone();
        for (int id = 4; id < n; id += blocks) {
            oneBlockMissing.clear(id);
        }
        float[] a = new float[n * k];
        float[] b = new float[n * k];
        SparkInit.initialise(a, all, k, 99, blocks, 0);
        SparkInit.initialise(b, oneBlockMissing, k, 99, blocks, 0);
        for (int id = all.nextSetBit(0); id >= 0; id = all.nextSetBit(id + 1)) {
            double norm = 0;
            for (int d = 0; d < k; d++) {
                norm += (double) a[id * k + d] * a[id * k + d];
            }
            assertEquals(1.0, Math.sqrt(norm), 1e-6, "unit vector for id " + id);
            if (id % blocks != 4) {
                assertArrayEquals(row(a, id, k), row(b, id, k), "id " + id + " must not depend on block 4");
            }
        }
        // the user and item sides draw from different streams
        float[] items = new float[n * k];
        SparkInit.initialise(items, all, k, 99, blocks, 1);
        int first = all.nextSetBit(0);
        assertEquals(false, java.util.Arrays.equals(row(a, first, k), row(items, first, k)));
    }

    /** With maxIter = 0 the model holds the initial factors; ids are the label indices, as after StringIndexer. */
    @Test
    void trainerHoldsSparksFactorsWithMaxIterZero() {
        String[] u = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"};
        String[] i = {"w", "x", "y", "z"};
        encore.data.Interactions train = encore.data.Interactions.fromCoordinates(
                encore.data.LabelIndex.ofOrdered(u, new int[u.length]),
                encore.data.LabelIndex.ofOrdered(i, new int[4]),
                new int[] {0, 1, 2, 10, 13, 13},
                new int[] {1, 0, 3, 1, 2, 0},
                new float[] {1, 1, 1, 1, 1, 1});
        AlsParams p = AlsParams.builder()
                .rank(5)
                .maxIter(0)
                .seed(42)
                .numBlocks(3)
                .init(AlsParams.Init.SPARK)
                .build();
        AlsBackend unused = new AlsBackend() {
            @Override
            public String name() {
                return "unused";
            }

            @Override
            public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
                return new HostFit(userItems, itemUsers, initial, params, (ratings, src, dst) -> {
                    throw new AssertionError("maxIter = 0 solves nothing");
                });
            }

            @Override
            public Factors solveRows(Csr ratings, Factors src, double[] gram, Factors warmStart, AlsParams params) {
                throw new AssertionError("the trainer never solves single rows");
            }

            @Override
            public double[] gram(Factors src) {
                throw new AssertionError("the trainer never asks for YᵀY");
            }

            @Override
            public void close() {}
        };
        AlsModel m = AlsTrainer.fit(train, p, unused, FitListener.NONE).model();
        assertArrayEquals(
                new float[] {0.8778412f, 0.12324918f, 0.1166159f, 0.15424728f, 0.42049137f}, m.userFactor(10));
        assertArrayEquals(
                new float[] {0.40795964f, -0.3484775f, -0.4311458f, -0.012234254f, 0.7253248f}, m.itemFactor(3));
        AlsModel own = AlsTrainer.fit(
                        train, p.toBuilder().init(AlsParams.Init.ENCORE).build(), unused, FitListener.NONE)
                .model();
        assertEquals(false, java.util.Arrays.equals(own.userFactor(10), m.userFactor(10)));
    }

    private static BitSet bits(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }

    private static float[] row(float[] f, int id, int k) {
        return java.util.Arrays.copyOfRange(f, id * k, id * k + k);
    }
}
