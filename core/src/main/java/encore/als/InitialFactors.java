package encore.als;

import java.util.Objects;

/**
 * The initial factors of a fit ({@link AlsParams#init()}) for any set of entity ids, so that a caller holding a side
 * in parts (a distributed executor holding one block) draws exactly the vectors a single-machine fit draws:
 *
 * <ul>
 *   <li>{@link AlsParams.Init#ENCORE}: each id's vector has its own stream, so a part draws its ids in any order;
 *   <li>{@link AlsParams.Init#SPARK}: Spark MLlib's draws, one stream per block {@code id mod numBlocks} over the
 *       block's ids in ascending order — a part must be exactly one such block.
 * </ul>
 *
 * A single-machine fit's entity ids are its indices; the vectors equal those of {@link Als} for the same parameters.
 */
public final class InitialFactors {
    private InitialFactors() {}

    /**
     * The initial vectors of {@code ids} (rank k, row-major, one row per id in the given order) of one side.
     *
     * @param ids       for {@link AlsParams.Init#SPARK}: the ids with ratings of block {@code block}, ascending;
     *                  otherwise any distinct ids
     * @param block     the block of the ids (Spark: {@code Math.floorMod(id, numBlocks)} for each), ignored for
     *                  ENCORE
     * @param numBlocks the side's block count (Spark's numUserBlocks or numItemBlocks), ignored for ENCORE
     * @throws IllegalArgumentException for SPARK when an id is not of the block or the ids are not ascending
     */
    public static float[] draw(int[] ids, AlsFit.Side side, int block, int numBlocks, AlsParams p) {
        Objects.requireNonNull(ids, "ids");
        int k = p.rank();
        float[] f = new float[Math.multiplyExact(ids.length, k)];
        int s = side == AlsFit.Side.USERS ? 0 : 1;
        if (p.init() == AlsParams.Init.SPARK) {
            if (numBlocks < 1 || block < 0 || block >= numBlocks) {
                throw new IllegalArgumentException("block " + block + " is not one of " + numBlocks + " blocks");
            }
            SparkInit.XorShiftRandom rng = SparkInit.blockRandom(SparkInit.sideSeed(p.seed(), s), block);
            float[] v = new float[k];
            for (int t = 0; t < ids.length; t++) {
                if (Math.floorMod(ids[t], numBlocks) != block || (t > 0 && ids[t] <= ids[t - 1])) {
                    throw new IllegalArgumentException("ids must be the ascending ids of block " + block + " of "
                            + numBlocks + "; found " + ids[t] + " at position " + t);
                }
                SparkInit.draw(rng, v, f, t * k, k);
            }
        } else {
            for (int t = 0; t < ids.length; t++) {
                AlsTrainer.draw(f, t * k, k, p.seed(), s, ids[t]);
            }
        }
        return f;
    }
}
