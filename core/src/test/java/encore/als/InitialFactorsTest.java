package encore.als;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link InitialFactors} draws, for any part of a side, the vectors a single-machine fit draws for those ids (what a
 * distributed executor holding one block needs), and Spark's values printed by MLlib itself ({@link SparkInitTest}).
 */
class InitialFactorsTest {
    private static final BitSet USERS = bits(0, 1, 2, 10, 13);

    @Test
    void sparkBlocksAreTheSingleMachineDrawsAndMllibsValues() {
        int k = 5;
        AlsParams p = AlsParams.builder()
                .rank(k)
                .seed(42)
                .numBlocks(3)
                .init(AlsParams.Init.SPARK)
                .build();
        float[] whole = new float[14 * k];
        SparkInit.initialise(whole, USERS, k, 42, 3, 0);
        // block 1 of 3 holds users 1, 10, 13
        float[] block = InitialFactors.draw(new int[] {1, 10, 13}, AlsFit.Side.USERS, 1, 3, p);
        assertArrayEquals(Arrays.copyOfRange(whole, 1 * k, 2 * k), Arrays.copyOfRange(block, 0, k));
        assertArrayEquals(Arrays.copyOfRange(whole, 10 * k, 11 * k), Arrays.copyOfRange(block, k, 2 * k));
        assertArrayEquals(
                new float[] {-0.17800954f, 0.17531419f, -0.800027f, -0.49403152f, 0.23122974f},
                Arrays.copyOfRange(block, 2 * k, 3 * k),
                "user 13 as MLlib 4.2.0 prints it");
        float[] items = InitialFactors.draw(new int[] {0, 3}, AlsFit.Side.ITEMS, 0, 3, p);
        assertArrayEquals(
                new float[] {0.40795964f, -0.3484775f, -0.4311458f, -0.012234254f, 0.7253248f},
                Arrays.copyOfRange(items, k, 2 * k),
                "item 3 as MLlib 4.2.0 prints it");
    }

    @Test
    void sparkBlocksMustBeOneBlockAscending() {
        AlsParams p = AlsParams.builder().rank(3).init(AlsParams.Init.SPARK).build();
        assertThrows(
                IllegalArgumentException.class,
                () -> InitialFactors.draw(new int[] {1, 2}, AlsFit.Side.USERS, 1, 3, p));
        assertThrows(
                IllegalArgumentException.class,
                () -> InitialFactors.draw(new int[] {4, 1}, AlsFit.Side.USERS, 1, 3, p));
        assertThrows(
                IllegalArgumentException.class, () -> InitialFactors.draw(new int[] {1}, AlsFit.Side.USERS, 3, 3, p));
    }

    @Test
    void encoreDrawsEachIdOnItsOwnInAnyOrder() {
        int k = 7;
        AlsParams p =
                AlsParams.builder().rank(k).seed(5).init(AlsParams.Init.ENCORE).build();
        float[] whole = new float[14 * k];
        AlsTrainer.initialise(whole, USERS, k, 5, 0);
        float[] part = InitialFactors.draw(new int[] {13, 0, 10}, AlsFit.Side.USERS, 0, 1, p);
        assertArrayEquals(Arrays.copyOfRange(whole, 13 * k, 14 * k), Arrays.copyOfRange(part, 0, k));
        assertArrayEquals(Arrays.copyOfRange(whole, 0, k), Arrays.copyOfRange(part, k, 2 * k));
        assertArrayEquals(Arrays.copyOfRange(whole, 10 * k, 11 * k), Arrays.copyOfRange(part, 2 * k, 3 * k));
        float[] items = new float[14 * k];
        AlsTrainer.initialise(items, USERS, k, 5, 1);
        float[] itemPart = InitialFactors.draw(new int[] {10}, AlsFit.Side.ITEMS, 0, 1, p);
        assertArrayEquals(Arrays.copyOfRange(items, 10 * k, 11 * k), itemPart, "the item side's own streams");
    }

    private static BitSet bits(int... ids) {
        BitSet b = new BitSet();
        for (int id : ids) {
            b.set(id);
        }
        return b;
    }
}
