package encore.cuda;

import encore.matrix.Csr;

/**
 * A CSR matrix resident on the device (64-bit row offsets, int columns, float values) plus its non-empty rows in
 * solve order: longest first (ties by row index), so the long rows start early and the short tail balances the blocks.
 * Keeps a reference to the host matrix it was uploaded from (shapes, row lengths for messages), which must not change.
 */
final class DeviceCsr implements AutoCloseable {
    final Csr host;
    final DeviceBuffer rowPtr;
    final DeviceBuffer col;
    final DeviceBuffer val;
    final DeviceBuffer order;
    final int nonEmptyRows;

    private DeviceCsr(
            Csr host, DeviceBuffer rowPtr, DeviceBuffer col, DeviceBuffer val, DeviceBuffer order, int nonEmptyRows) {
        this.host = host;
        this.rowPtr = rowPtr;
        this.col = col;
        this.val = val;
        this.order = order;
        this.nonEmptyRows = nonEmptyRows;
    }

    /** Uploads {@code m}, with the solve order when {@code withOrder} (owner thread only). */
    static DeviceCsr upload(GpuDevice dev, Csr m, boolean withOrder) {
        long[] ptr = new long[m.rows() + 1];
        int[] rp = m.rowPtr();
        for (int r = 0; r <= m.rows(); r++) {
            ptr[r] = rp[r];
        }
        int[] order = withOrder ? longestFirst(m) : new int[0];
        DeviceBuffer p = null;
        DeviceBuffer c = null;
        DeviceBuffer v = null;
        DeviceBuffer o = null;
        try {
            p = dev.alloc(8L * ptr.length, "CSR row offsets");
            c = dev.alloc(4L * m.nnz(), "CSR columns");
            v = dev.alloc(4L * m.nnz(), "CSR values");
            o = dev.alloc(4L * order.length, "row order");
            p.upload(ptr);
            c.upload(m.colIdx()); // a Csr's arrays hold exactly nnz entries
            v.upload(m.values());
            o.upload(order);
            return new DeviceCsr(m, p, c, v, o, order.length);
        } catch (RuntimeException e) {
            for (DeviceBuffer b : new DeviceBuffer[] {p, c, v, o}) {
                if (b != null) {
                    b.close();
                }
            }
            throw e;
        }
    }

    /** Non-empty rows by length descending, ties by row index ascending (a counting sort, O(rows + max length)). */
    static int[] longestFirst(Csr m) {
        int max = 0;
        int n = 0;
        for (int r = 0; r < m.rows(); r++) {
            int len = m.rowLength(r);
            if (len > 0) {
                n++;
                max = Math.max(max, len);
            }
        }
        int[] start = new int[max + 2];
        for (int r = 0; r < m.rows(); r++) {
            int len = m.rowLength(r);
            if (len > 0) {
                start[max - len + 1]++;
            }
        }
        for (int i = 1; i < start.length; i++) {
            start[i] += start[i - 1];
        }
        int[] order = new int[n];
        for (int r = 0; r < m.rows(); r++) {
            int len = m.rowLength(r);
            if (len > 0) {
                order[start[max - len]++] = r;
            }
        }
        return order;
    }

    @Override
    public void close() {
        rowPtr.close();
        col.close();
        val.close();
        order.close();
    }
}
