package encore.cuda;

import encore.als.Recommendations;
import encore.als.spi.TopKScorer;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;

/**
 * Top-k on the GPU with the fused {@code topk_users} kernel (see {@code topk.cu}): queries in tiles of 4 … 32
 * (as many as the per-user lists of k fit in shared memory), candidates swept in tiles of 128, a running top-k per
 * query with a threshold filter; the score matrix is never stored. Queries are processed in batches whose result
 * buffers stay under {@link #RESULT_BUDGET} bytes; the exclusion CSR and both factor matrices stay resident for the call.
 */
final class GpuTopKScorer implements TopKScorer {
    /** Device bytes for one batch's result lists. */
    static final long RESULT_BUDGET = 512L << 20;
    private static final int TK_D = 32;
    private static final int TK_ISTRIDE = 132;
    private static final int TK_CAP = 192;

    private final GpuDevice dev;
    private final boolean ownsDevice;
    private double lastKernelMillis;

    GpuTopKScorer(GpuDevice dev, boolean ownsDevice) {
        this.dev = dev;
        this.ownsDevice = ownsDevice;
    }

    @Override
    public String name() {
        return "gpu";
    }

    /** Kernel time of the last call, from CUDA events. */
    double lastKernelMillis() {
        return lastKernelMillis;
    }

    /** Shared memory of topk_users for {@code ut} users per block (layout in topk.cu). */
    static long sharedBytes(int ut, int k) {
        return 4L * (ut * TK_D + TK_D * TK_ISTRIDE) + 8L * ut * k + 8L * ut * TK_CAP + 16L * ut;
    }

    /** The largest of 32, 16, 8, 4 users per block whose shared memory fits, or 0 when none does. */
    static int usersPerBlock(int k, long maxShared) {
        for (int ut = 32; ut >= 4; ut /= 2) {
            if (sharedBytes(ut, k) <= maxShared) {
                return ut;
            }
        }
        return 0;
    }

    @Override
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        float[] q = queries.data();
        BitSet qHas = queries.present();
        int nq = queries.rows();
        float[] c = candidates.data();
        BitSet cHas = candidates.present();
        int nc = candidates.rows();
        int rank = queries.rank();
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int kk = Math.min(k, Math.max(1, nc));
        int ut = usersPerBlock(kk, dev.maxDynamicShared());
        if (ut == 0) {
            throw new IllegalArgumentException("k = " + kk + " lists do not fit the GPU's shared memory");
        }
        int nRows = rows == null ? nq : rows.length;
        int[] active = new int[nRows];
        int[] activePos = new int[nRows];
        int n = 0;
        for (int r = 0; r < nRows; r++) {
            int query = rows == null ? r : rows[r];
            if (qHas.get(query)) {
                active[n] = query;
                activePos[n] = r;
                n++;
            }
        }
        int[] ids = new int[nRows * kk];
        float[] scores = new float[nRows * kk];
        int[] counts = new int[nRows];
        int[] allowed = new int[(nc + 31) / 32 + 1];
        for (int j = cHas.nextSetBit(0); j >= 0 && j < nc; j = cHas.nextSetBit(j + 1)) {
            allowed[j >>> 5] |= 1 << (j & 31);
        }
        int total = n;
        int[] activeQueries = java.util.Arrays.copyOf(active, n);
        dev.call(() -> {
            try (DeviceBuffer qb = dev.alloc(4L * q.length, "query factors");
                 DeviceBuffer cb = dev.alloc(4L * c.length, "candidate factors");
                 DeviceBuffer ab = dev.alloc(4L * allowed.length, "candidate mask");
                 DeviceCsr ex = exclude == null ? null : DeviceCsr.upload(dev, exclude, false);
                 GpuDevice.Timer timer = dev.new Timer()) {
                qb.upload(q);
                cb.upload(c);
                ab.upload(allowed);
                int batch = (int) Math.max(ut, Math.min(total, RESULT_BUDGET / (8L * kk + 4)));
                batch = Math.max(ut, batch / ut * ut);
                float ms = 0;
                try (DeviceBuffer ub = dev.alloc(4L * Math.min(batch, Math.max(1, total)), "query list");
                     DeviceBuffer oi = dev.alloc(4L * Math.min(batch, Math.max(1, total)) * kk, "result ids");
                     DeviceBuffer os = dev.alloc(4L * Math.min(batch, Math.max(1, total)) * kk, "result scores");
                     DeviceBuffer oc = dev.alloc(4L * Math.min(batch, Math.max(1, total)), "result counts")) {
                    for (int b0 = 0; b0 < total; b0 += batch) {
                        int m = Math.min(batch, total - b0);
                        int[] part = java.util.Arrays.copyOfRange(activeQueries, b0, b0 + m);
                        ub.upload(part);
                        oc.fill32(0);
                        timer.start();
                        dev.launch(dev.kernels().topkUsers(), "topk_users", (m + ut - 1) / ut, ut * 8,
                            (int) sharedBytes(ut, kk), qb, ub, m, cb, nc, rank, ab, ex == null ? null : ex.rowPtr,
                            ex == null ? null : ex.col, kk, ut, oi, os, oc);
                        ms += timer.stopMillis();
                        int[] bi = new int[m * kk];
                        float[] bs = new float[m * kk];
                        int[] bc = new int[m];
                        oi.download(bi);
                        os.download(bs);
                        oc.download(bc);
                        for (int j = 0; j < m; j++) {
                            int pos = activePos[b0 + j];
                            counts[pos] = bc[j];
                            System.arraycopy(bi, j * kk, ids, pos * kk, bc[j]);
                            System.arraycopy(bs, j * kk, scores, pos * kk, bc[j]);
                        }
                    }
                }
                lastKernelMillis = ms;
            }
            return null;
        });
        return Recommendations.of(kk, ids, scores, counts);
    }

    @Override
    public void close() {
        if (ownsDevice) {
            dev.close();
        }
    }
}
