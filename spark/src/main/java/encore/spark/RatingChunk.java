package encore.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A growable buffer of ratings (dst id, src id, value) bound for one block: how an input partition hands its
 * ratings to the blocks (one record per block and input partition through the shuffle, not one per rating).
 */
final class RatingChunk implements Serializable {
    private static final long serialVersionUID = 1L;

    private int[] dst = new int[16];
    private int[] src = new int[16];
    private float[] val = new float[16];
    private int size;

    void add(int d, int s, float v) {
        if (size == dst.length) {
            int n = Math.toIntExact(Math.min(Integer.MAX_VALUE - 16L, size + (size >> 1) + 16L));
            if (n <= size) {
                throw new IllegalStateException("more than " + size + " ratings in one block of one partition");
            }
            dst = Arrays.copyOf(dst, n);
            src = Arrays.copyOf(src, n);
            val = Arrays.copyOf(val, n);
        }
        dst[size] = d;
        src[size] = s;
        val[size] = v;
        size++;
    }

    int size() {
        return size;
    }

    /** The block built from {@code chunks} (all bound for the same block). */
    static InBlock merge(Iterable<RatingChunk> chunks, int srcBlocks) {
        long total = 0;
        for (RatingChunk c : chunks) {
            total += c.size;
        }
        int n = Math.toIntExact(total);
        int[] d = new int[n];
        int[] s = new int[n];
        float[] v = new float[n];
        int o = 0;
        for (RatingChunk c : chunks) {
            System.arraycopy(c.dst, 0, d, o, c.size);
            System.arraycopy(c.src, 0, s, o, c.size);
            System.arraycopy(c.val, 0, v, o, c.size);
            o += c.size;
        }
        return InBlock.of(d, s, v, n, srcBlocks);
    }
}
