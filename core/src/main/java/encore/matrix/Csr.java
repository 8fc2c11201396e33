package encore.matrix;

import java.util.BitSet;

/**
 * A compressed sparse row matrix: row {@code r} holds columns {@code colIdx[rowPtr[r] .. rowPtr[r+1])}, ascending,
 * with {@code values} alongside. Plain arrays so engines can walk them without indirection; treat them as read-only.
 * The number of non-zeros is bounded by the largest Java array (2³¹−1); engines that multiply it by the rank must use
 * 64-bit arithmetic.
 */
public final class Csr {
    private final int rows;
    private final int cols;
    private final int[] rowPtr;
    private final int[] colIdx;
    private final float[] values;

    /** Wraps the given arrays (not copied) after checking that their lengths are consistent. */
    public Csr(int rows, int cols, int[] rowPtr, int[] colIdx, float[] values) {
        if (rowPtr.length != rows + 1) {
            throw new IllegalArgumentException("rowPtr has " + rowPtr.length + " entries, expected " + (rows + 1));
        }
        if (colIdx.length != values.length || rowPtr[rows] != colIdx.length || rowPtr[0] != 0) {
            throw new IllegalArgumentException("inconsistent CSR: rowPtr ends at " + rowPtr[rows] + ", " + colIdx.length
                    + " column indices, " + values.length + " values");
        }
        this.rows = rows;
        this.cols = cols;
        this.rowPtr = rowPtr;
        this.colIdx = colIdx;
        this.values = values;
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** Number of columns. */
    public int cols() {
        return cols;
    }

    /** Number of stored non-zeros. */
    public int nnz() {
        return colIdx.length;
    }

    /** Offset of row {@code r}'s first entry in {@link #colIdx()} and {@link #values()}. */
    public int rowStart(int r) {
        return rowPtr[r];
    }

    /** Offset one past row {@code r}'s last entry. */
    public int rowEnd(int r) {
        return rowPtr[r + 1];
    }

    /** Number of stored entries in row {@code r}. */
    public int rowLength(int r) {
        return rowPtr[r + 1] - rowPtr[r];
    }

    /** Row offsets, length {@code rows + 1}. Do not modify. */
    public int[] rowPtr() {
        return rowPtr;
    }

    /** Column index of each non-zero. Do not modify. */
    public int[] colIdx() {
        return colIdx;
    }

    /** Value of each non-zero. Do not modify. */
    public float[] values() {
        return values;
    }

    /** The rows that have at least one entry. */
    public BitSet nonEmptyRows() {
        BitSet b = new BitSet(rows);
        for (int r = 0; r < rows; r++) {
            if (rowPtr[r + 1] > rowPtr[r]) {
                b.set(r);
            }
        }
        return b;
    }

    /** The value at (r, c), or 0. Binary search in the row. */
    public float get(int r, int c) {
        int lo = rowPtr[r];
        int hi = rowPtr[r + 1] - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = colIdx[mid];
            if (v < c) {
                lo = mid + 1;
            } else if (v > c) {
                hi = mid - 1;
            } else {
                return values[mid];
            }
        }
        return 0f;
    }

    /**
     * Builds a CSR matrix from coordinates: entries grouped by row, columns ascending within a row, duplicates kept
     * (in input order) — Spark's ALS does not merge duplicate (user, item) ratings, each adds its own term.
     */
    public static Csr fromCoordinates(int rows, int cols, int[] r, int[] c, float[] v) {
        int n = r.length;
        if (c.length != n || v.length != n) {
            throw new IllegalArgumentException("coordinate arrays differ in length");
        }
        int[] ptr = new int[rows + 1];
        for (int q = 0; q < n; q++) {
            if (r[q] < 0 || r[q] >= rows || c[q] < 0 || c[q] >= cols) {
                throw new IllegalArgumentException("entry (" + r[q] + ", " + c[q] + ") outside " + rows + " × " + cols);
            }
            ptr[r[q] + 1]++;
        }
        for (int q = 0; q < rows; q++) {
            ptr[q + 1] += ptr[q];
        }
        int[] fill = java.util.Arrays.copyOf(ptr, rows);
        long[] keyed = new long[n];
        for (int q = 0; q < n; q++) {
            keyed[fill[r[q]]++] = ((long) c[q] << 32) | q;
        }
        int[] idx = new int[n];
        float[] val = new float[n];
        for (int row = 0; row < rows; row++) {
            java.util.Arrays.sort(keyed, ptr[row], ptr[row + 1]);
            for (int q = ptr[row]; q < ptr[row + 1]; q++) {
                idx[q] = (int) (keyed[q] >>> 32);
                val[q] = v[(int) keyed[q]];
            }
        }
        return new Csr(rows, cols, ptr, idx, val);
    }

    /** The transpose (columns become rows), rows again sorted by column; a counting sort, O(nnz + rows + cols). */
    public Csr transpose() {
        int nnz = nnz();
        int[] tPtr = new int[cols + 1];
        for (int k = 0; k < nnz; k++) {
            tPtr[colIdx[k] + 1]++;
        }
        for (int c = 0; c < cols; c++) {
            tPtr[c + 1] += tPtr[c];
        }
        int[] fill = java.util.Arrays.copyOf(tPtr, cols);
        int[] tIdx = new int[nnz];
        float[] tVal = new float[nnz];
        for (int r = 0; r < rows; r++) {
            for (int k = rowPtr[r], e = rowPtr[r + 1]; k < e; k++) {
                int at = fill[colIdx[k]]++;
                tIdx[at] = r;
                tVal[at] = values[k];
            }
        }
        return new Csr(cols, rows, tPtr, tIdx, tVal);
    }
}
