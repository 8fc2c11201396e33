package encore.cuda;

import encore.als.Recommendations;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;

/**
 * The raw top-k engine (unchecked: {@link GpuTopKScorer} checks it), the fused {@code topk_users} kernel (see
 * {@code topk.cu}): queries in tiles of 4 … 32 (as many as the per-user lists of k fit in shared memory), candidates
 * swept in tiles of 128, a running top-k per query with a threshold filter; the score matrix is never stored. Queries
 * are processed in batches whose result buffers stay under {@link #RESULT_BUDGET} bytes; the exclusion CSR and both
 * factor matrices stay resident for the call. The contract is {@link encore.als.TopKScorer}'s.
 */
final class GpuTopKEngine implements GpuTopKScorer.Engine {
    /** Device bytes for one batch's result lists. */
    static final long RESULT_BUDGET = 512L << 20;

    private static final int TK_D = 32;
    private static final int TK_ISTRIDE = 132;
    private static final int TK_CAP = 192;

    /** The result lists of a call, filled batch by batch. */
    private record Lists(int k, int[] ids, float[] scores, int[] counts) {
        static Lists of(int rows, int k) {
            return new Lists(k, new int[rows * k], new float[rows * k], new int[rows]);
        }
    }

    /** The present query rows of a call ({@code queries[i]}) and their result rows ({@code positions[i]}). */
    private record Active(int[] queries, int[] positions) {
        static Active of(Factors q, int[] rows) {
            int nRows = rows == null ? q.rows() : rows.length;
            int[] active = new int[nRows];
            int[] pos = new int[nRows];
            int n = 0;
            for (int r = 0; r < nRows; r++) {
                int query = rows == null ? r : rows[r];
                if (q.has(query)) {
                    active[n] = query;
                    pos[n] = r;
                    n++;
                }
            }
            return new Active(Arrays.copyOf(active, n), Arrays.copyOf(pos, n));
        }
    }

    private final DeviceLease<GpuDevice> lease;
    private final GpuDevice dev;
    private double lastKernelMillis;

    /** @param lease the device, given back by {@link #close()} */
    GpuTopKEngine(DeviceLease<GpuDevice> lease) {
        this.lease = lease;
        this.dev = lease.device();
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
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, got " + k);
        }
        int kk = Math.min(k, Math.max(1, candidates.rows()));
        int ut = usersPerBlock(kk, dev.maxDynamicShared());
        if (ut == 0) {
            throw new IllegalArgumentException("k = " + kk + " lists do not fit the GPU's shared memory");
        }
        Active active = Active.of(queries, rows);
        Lists out = Lists.of(rows == null ? queries.rows() : rows.length, kk);
        int[] allowed = Kernel.rowMask(candidates.present(), candidates.rows());
        dev.call(() -> {
            try (DeviceBuffer qb = dev.upload(queries.data(), "query factors");
                    DeviceBuffer cb = dev.upload(candidates.data(), "candidate factors");
                    DeviceBuffer ab = dev.upload(allowed, "candidate mask");
                    DeviceCsr ex = exclude == null ? null : DeviceCsr.upload(dev, exclude, false)) {
                lastKernelMillis =
                        batches(new Resident(qb, cb, ab, ex, candidates.rows(), queries.rank()), active, ut, out);
            }
            return null;
        });
        return Recommendations.of(kk, out.ids(), out.scores(), out.counts());
    }

    /** What every batch of a call reads on the device. */
    private record Resident(
            DeviceBuffer queries,
            DeviceBuffer candidates,
            DeviceBuffer allowed,
            DeviceCsr exclude,
            int nCandidates,
            int rank) {}

    /** Runs the active queries in batches of whole user tiles (owner thread); returns the kernel milliseconds. */
    private float batches(Resident in, Active active, int ut, Lists out) {
        int kk = out.k();
        int total = active.queries().length;
        int batch = (int) Math.max(ut, Math.min(total, RESULT_BUDGET / (8L * kk + 4)));
        batch = Math.max(ut, batch / ut * ut);
        int cap = Math.min(batch, Math.max(1, total));
        float ms = 0;
        try (DeviceBuffer ub = dev.alloc(4L * cap, "query list");
                DeviceBuffer oi = dev.alloc(4L * cap * kk, "result ids");
                DeviceBuffer os = dev.alloc(4L * cap * kk, "result scores");
                DeviceBuffer oc = dev.alloc(4L * cap, "result counts");
                GpuDevice.Timer timer = dev.new Timer()) {
            for (int b0 = 0; b0 < total; b0 += batch) {
                int m = Math.min(batch, total - b0);
                ub.upload(Arrays.copyOfRange(active.queries(), b0, b0 + m));
                oc.fill32(0);
                timer.start();
                dev.topk()
                        .topkUsers(
                                new Kernel.Launch((m + ut - 1) / ut, ut * 8, (int) sharedBytes(ut, kk)),
                                in.queries(),
                                ub,
                                m,
                                in.candidates(),
                                in.nCandidates(),
                                in.rank(),
                                in.allowed(),
                                in.exclude(),
                                kk,
                                ut,
                                oi,
                                os,
                                oc);
                ms += timer.stopMillis();
                collect(oi, os, oc, m, Arrays.copyOfRange(active.positions(), b0, b0 + m), out);
            }
        }
        return ms;
    }

    /** Copies a batch's {@code m} lists into their result rows {@code positions}. */
    private static void collect(DeviceBuffer oi, DeviceBuffer os, DeviceBuffer oc, int m, int[] positions, Lists out) {
        int kk = out.k();
        int[] bi = new int[m * kk];
        float[] bs = new float[m * kk];
        int[] bc = new int[m];
        oi.download(bi);
        os.download(bs);
        oc.download(bc);
        for (int j = 0; j < m; j++) {
            int pos = positions[j];
            out.counts()[pos] = bc[j];
            System.arraycopy(bi, j * kk, out.ids(), pos * kk, bc[j]);
            System.arraycopy(bs, j * kk, out.scores(), pos * kk, bc[j]);
        }
    }

    /** Gives the device back. */
    @Override
    public void close() {
        lease.close();
    }
}
