package encore.spark;

import encore.matrix.Csr;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The ratings of one block of the side being solved (the dst side), in the local layout its row solve reads:
 *
 * <pre>
 *   dstIds    the block's entities with ratings, ascending (row r of the ratings is entity dstIds[r])
 *   srcIds    every fixed-side entity those rows rate, ascending (column c is entity srcIds[c])
 *   ratings   dstIds.length × srcIds.length CSR: row r's entries in ascending src id order, duplicates kept
 *   need[b]   the src ids of fixed-side block b (srcIds ∩ block b, ascending) and
 *   local[b]  their columns: srcIds[local[b][t]] = need[b][t]
 * </pre>
 *
 * A row's entries are those of the single-machine CSR row, in the same order, so its system is built with the same
 * sums: the local column numbering is only a renaming of the fixed side's rows. Each half-iteration the fixed side
 * supplies, per block b, the factors of {@code need[b]} in that order, which land in columns {@code local[b]}.
 */
final class InBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    final int[] dstIds;
    final int[] srcIds;
    final int[] rowPtr;
    final int[] colIdx;
    final float[] values;
    final int[][] need;
    final int[][] local;

    private InBlock(
            int[] dstIds, int[] srcIds, int[] rowPtr, int[] colIdx, float[] values, int[][] need, int[][] local) {
        this.dstIds = dstIds;
        this.srcIds = srcIds;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
        this.need = need;
        this.local = local;
    }

    /**
     * Builds a block from its ratings (dst id, src id, value), given in any order.
     *
     * @param srcBlocks the fixed side's block count (block of id = floorMod(id, srcBlocks))
     */
    static InBlock of(int[] dst, int[] src, float[] val, int n, int srcBlocks) {
        // the entries by (dst, src): the single-machine CSR's order within each row; duplicates of a pair by value
        // (a shuffle delivers a partition's records in no fixed order: this makes the block the same every run)
        int[] order = sortedOrder(dst, src, val, n);
        int[] dstIds = distinct(dst, order, n);
        int[] srcSorted = Arrays.copyOf(src, n);
        Arrays.sort(srcSorted);
        int[] srcIds = distinctSorted(srcSorted);
        int[] rowPtr = new int[dstIds.length + 1];
        int[] colIdx = new int[n];
        float[] values = new float[n];
        int row = -1;
        for (int q = 0; q < n; q++) {
            int e = order[q];
            if (row < 0 || dstIds[row] != dst[e]) {
                row++;
                rowPtr[row] = q;
            }
            colIdx[q] = Arrays.binarySearch(srcIds, src[e]);
            values[q] = val[e];
        }
        rowPtr[dstIds.length] = n;
        int[] count = new int[srcBlocks];
        for (int id : srcIds) {
            count[Math.floorMod(id, srcBlocks)]++;
        }
        int[][] need = new int[srcBlocks][];
        int[][] local = new int[srcBlocks][];
        for (int b = 0; b < srcBlocks; b++) {
            need[b] = new int[count[b]];
            local[b] = new int[count[b]];
        }
        int[] fill = new int[srcBlocks];
        for (int c = 0; c < srcIds.length; c++) {
            int b = Math.floorMod(srcIds[c], srcBlocks);
            need[b][fill[b]] = srcIds[c];
            local[b][fill[b]++] = c;
        }
        return new InBlock(dstIds, srcIds, rowPtr, colIdx, values, need, local);
    }

    /** The ratings in the local layout. */
    Csr ratings() {
        return new Csr(dstIds.length, srcIds.length, rowPtr, colIdx, values);
    }

    /** Bytes of this block's arrays (ids, CSR, need and local lists). */
    long bytes() {
        long n = 4L * (dstIds.length + srcIds.length + rowPtr.length + colIdx.length + values.length);
        for (int b = 0; b < need.length; b++) {
            n += 4L * (need[b].length + local[b].length);
        }
        return n;
    }

    /** Number of ratings. */
    int nnz() {
        return colIdx.length;
    }

    /** The entry order sorted by (dst, src, value), signed ids. */
    private static int[] sortedOrder(int[] dst, int[] src, float[] val, int n) {
        long[] keys = new long[n];
        for (int q = 0; q < n; q++) {
            // (dst, src) as one order-preserving 64-bit key: dst signed in the high half, src with its sign flipped
            keys[q] = ((long) dst[q] << 32) | ((src[q] ^ 0x80000000L) & 0xFFFFFFFFL);
        }
        int[] order = new int[n];
        for (int q = 0; q < n; q++) {
            order[q] = q;
        }
        mergeSort(order, new int[n], keys, val, 0, n);
        return order;
    }

    private static boolean lessOrEqual(long[] keys, float[] val, int a, int b) {
        return keys[a] < keys[b] || (keys[a] == keys[b] && Float.compare(val[a], val[b]) <= 0);
    }

    /** Merge sort of the entry indices {@code a[lo, hi)} by (key, value). */
    private static void mergeSort(int[] a, int[] tmp, long[] keys, float[] val, int lo, int hi) {
        if (hi - lo < 32) {
            for (int i = lo + 1; i < hi; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= lo && !lessOrEqual(keys, val, a[j], v)) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(a, tmp, keys, val, lo, mid);
        mergeSort(a, tmp, keys, val, mid, hi);
        if (lessOrEqual(keys, val, a[mid - 1], a[mid])) {
            return;
        }
        System.arraycopy(a, lo, tmp, lo, hi - lo);
        int i = lo;
        int j = mid;
        for (int o = lo; o < hi; o++) {
            if (j >= hi || (i < mid && lessOrEqual(keys, val, tmp[i], tmp[j]))) {
                a[o] = tmp[i++];
            } else {
                a[o] = tmp[j++];
            }
        }
    }

    /** The distinct values of {@code v} in the sorted order {@code order}. */
    private static int[] distinct(int[] v, int[] order, int n) {
        int[] out = new int[n];
        int m = 0;
        for (int q = 0; q < n; q++) {
            int x = v[order[q]];
            if (m == 0 || out[m - 1] != x) {
                out[m++] = x;
            }
        }
        return Arrays.copyOf(out, m);
    }

    /** The distinct values of the sorted {@code v}. */
    private static int[] distinctSorted(int[] v) {
        int m = 0;
        for (int q = 0; q < v.length; q++) {
            if (m == 0 || v[m - 1] != v[q]) {
                v[m++] = v[q];
            }
        }
        return Arrays.copyOf(v, m);
    }
}
