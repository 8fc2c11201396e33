package encore.spark;

import scala.Tuple2;

import java.io.Serializable;
import java.util.List;

/**
 * One block of a side's factors: the block's entity ids, ascending (those with ratings: an {@link InBlock}'s
 * {@code dstIds}), and their vectors, row-major at rank k. A value: nobody writes it once built.
 */
final class FactorBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[] ids;
    final float[] data;
    final int rank;

    FactorBlock(int[] ids, float[] data, int rank) {
        if (data.length != (long) ids.length * rank) {
            throw new IllegalArgumentException(
                    "a factor block of " + ids.length + " ids at rank " + rank + " has " + data.length + " values");
        }
        this.ids = ids;
        this.data = data;
        this.rank = rank;
    }

    /** The vectors of the rows at {@code positions} (ascending or not), packed in that order. */
    float[] rows(int[] positions) {
        float[] out = new float[positions.length * rank];
        for (int t = 0; t < positions.length; t++) {
            System.arraycopy(data, positions[t] * rank, out, t * rank, rank);
        }
        return out;
    }

    /** A side's blocks, collected as (block, factors) pairs, indexed by block; a block without ratings is null. */
    static FactorBlock[] byBlock(List<Tuple2<Integer, FactorBlock>> parts, int blocks) {
        FactorBlock[] all = new FactorBlock[blocks];
        for (Tuple2<Integer, FactorBlock> t : parts) {
            all[t._1()] = t._2();
        }
        return all;
    }

    /** Bytes of factor values (what shipping the whole block costs, before serialisation). */
    long bytes() {
        return 4L * data.length;
    }
}
