package encore.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where one block of the fixed side sends its factors each half-iteration (MLlib's OutBlock idea): for each block b
 * of the side being solved, the positions (rows of this block's {@link FactorBlock}) of the factors b's ratings
 * reference, in the order of b's {@link InBlock#need}; empty when b rates none of them. Each factor travels only to
 * the blocks that need it, once per block.
 */
final class OutBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[][] positions;

    private OutBlock(int[][] positions) {
        this.positions = positions;
    }

    /**
     * @param ids   this block's entity ids, ascending (its in-block's {@code dstIds})
     * @param needs (block b, the ids of this block b needs) pairs
     */
    static OutBlock of(int[] ids, Iterable<scala.Tuple2<Integer, int[]>> needs, int dstBlocks) {
        int[][] pos = new int[dstBlocks][];
        Arrays.fill(pos, new int[0]);
        for (scala.Tuple2<Integer, int[]> need : needs) {
            pos[need._1()] = positionsOf(ids, need._2());
        }
        return new OutBlock(pos);
    }

    /** The position of each of {@code want} (ascending) in {@code ids} (ascending). */
    static int[] positionsOf(int[] ids, int[] want) {
        int[] p = new int[want.length];
        for (int t = 0; t < want.length; t++) {
            int at = Arrays.binarySearch(ids, want[t]);
            if (at < 0) {
                throw new IllegalStateException("entity " + want[t] + " is rated but has no factor in its block");
            }
            p[t] = at;
        }
        return p;
    }

    /** Factors sent per half-iteration (entries over all destination blocks). */
    long shipped() {
        long n = 0;
        for (int[] p : positions) {
            n += p.length;
        }
        return n;
    }
}
