package encore.cuda;

import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The CUDA ALS engine: one half-iteration = (implicit only) the Gram matrix YᵀY by {@code gram_partial} +
 * {@code gram_reduce}, then {@code solve_rows}, one block per non-empty row in longest-first order, building that
 * row's normal equations in double and solving them by Cholesky (see {@code als.cu} for the math). The ratings stay
 * resident on the device across iterations (keyed by the Csr instance; the trainer passes the same two every time);
 * factors are copied in and out each half-iteration, since the host arrays are the model.
 *
 * <p>Normal equations are double throughout, on every device: exact Spark semantics come first (on consumer GPUs,
 * whose FP64 rate is 1/32 to 1/64 of FP32, this engine is slower than it could be with an FP32 build and refinement).
 * Not thread-safe: one fit at a time.
 */
final class GpuAlsEngine implements CheckedAlsBackend.Engine {
    private static final int BLOCK = 256;
    private static final int GRAM_PARTS = 256;
    /** The CG kernel keeps k / 32 components per lane in registers (CG_MAX_J = 8 in als.cu). */
    static final int CG_MAX_RANK = 256;

    private final GpuDevice dev;
    private final boolean ownsDevice;
    private final Map<Csr, DeviceCsr> resident = new IdentityHashMap<>();
    private DeviceBuffer src;
    private DeviceBuffer dst;
    private DeviceBuffer gram;
    private DeviceBuffer partials;
    private DeviceBuffer scratch;
    private DeviceBuffer firstBad;
    private double[] lastGram;
    private double lastKernelMillis;

    /** @param ownsDevice whether {@link #close()} also closes the device */
    GpuAlsEngine(GpuDevice dev, boolean ownsDevice) {
        this.dev = dev;
        this.ownsDevice = ownsDevice;
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public double[] lastGram() {
        return lastGram;
    }

    /** Kernel time of the last half-iteration (Gram + solve), from CUDA events. */
    double lastKernelMillis() {
        return lastKernelMillis;
    }

    @Override
    public void solve(Csr ratings, float[] srcF, float[] dstF, AlsParams p) {
        int k = p.rank();
        if (srcF.length != (long) ratings.cols() * k || dstF.length != (long) ratings.rows() * k) {
            throw new IllegalArgumentException("factor arrays do not match the " + ratings.rows() + " × "
                + ratings.cols() + " ratings at rank " + k);
        }
        String unsupported = GpuBackendProvider.unsupported(p);
        if (unsupported != null) {
            throw new IllegalArgumentException(unsupported);
        }
        dev.call(() -> {
            solveOnOwner(ratings, srcF, dstF, p);
            return null;
        });
    }

    private void solveOnOwner(Csr ratings, float[] srcF, float[] dstF, AlsParams p) {
        int k = p.rank();
        DeviceCsr m = resident.get(ratings);
        if (m == null) {
            if (resident.size() >= 2) {
                resident.values().forEach(DeviceCsr::close);
                resident.clear();
            }
            m = DeviceCsr.upload(dev, ratings, true);
            resident.put(ratings, m);
        }
        src = ensure(src, 4L * srcF.length, "src factors");
        dst = ensure(dst, 4L * dstF.length, "dst factors");
        firstBad = ensure(firstBad, 4, "status");
        src.upload(srcF);
        dst.upload(dstF);
        firstBad.fill32(Integer.MAX_VALUE);
        GpuDevice.Kernels kn = dev.kernels();
        GpuDevice.Info info = dev.info();
        try (GpuDevice.Timer timer = dev.new Timer()) {
            timer.start();
            if (p.implicitPrefs()) {
                gram(srcF.length / k, k);
            }
            if (usesCg(p)) {
                int warps = BLOCK / 32;
                int grid = (int) Math.max(1, Math.min((m.nonEmptyRows + warps - 1L) / warps,
                    (long) info.multiprocessors() * 16));
                dev.launch(kn.cgRows(), "cg_rows", grid, BLOCK, 8 * warps * k, m.rowPtr, m.col, m.val, src, dst,
                    m.order, m.nonEmptyRows, k, p.regParam(), p.alpha(), gram, p.cgSteps(), firstBad);
                lastKernelMillis = timer.stopMillis();
            } else {
                solveRows(m, k, p, info, kn);
                lastKernelMillis = timer.stopMillis();
            }
        }
        int[] bad = new int[1];
        firstBad.download(bad);
        if (bad[0] != Integer.MAX_VALUE) {
            throw new SingularSystemException(bad[0], ratings.rowLength(bad[0]));
        }
        dst.download(dstF);
    }

    /** Whether this half-iteration runs the warm-started CG kernel (implicit with solver=cg, as the CPU engine). */
    static boolean usesCg(AlsParams p) {
        return p.implicitPrefs() && p.solver() == AlsParams.Solver.CG;
    }

    private void solveRows(DeviceCsr m, int k, AlsParams p, GpuDevice.Info info, GpuDevice.Kernels kn) {
        {
            int tile = tileRows(k);
            long inShared = sharedBytes(k, tile, true);
            boolean aInShared = inShared <= dev.maxDynamicShared();
            int smem = (int) (aInShared ? inShared : sharedBytes(k, tile, false));
            int perSm = aInShared ? 8 : 4;
            int grid = (int) Math.min(m.nonEmptyRows, (long) info.multiprocessors() * perSm);
            if (!aInShared) {
                scratch = ensure(scratch, 8L * grid * k * k, "normal-equation scratch");
            }
            dev.launch(kn.solveRows(), "solve_rows", grid, BLOCK, smem, m.rowPtr, m.col, m.val, src, dst, m.order,
                m.nonEmptyRows, k, p.regParam(), p.implicitPrefs() ? 1 : 0, p.alpha(),
                p.implicitPrefs() ? gram : null, aInShared ? null : scratch, aInShared ? 1 : 0, tile, firstBad);
        }
    }

    /** YᵀY of the src factors into {@link #gram} (device) and {@link #lastGram} (host, for the spot-check). */
    private void gram(int rows, int k) {
        GpuDevice.Kernels kn = dev.kernels();
        int parts = (int) Math.max(1, Math.min(GRAM_PARTS, (rows + 255L) / 256));
        long perBlock = (rows + (long) parts - 1) / parts;
        int tile = Math.max(1, 8192 / k);
        partials = ensure(partials, 8L * parts * k * k, "Gram partial sums");
        gram = ensure(gram, 8L * k * k, "Gram matrix");
        dev.launch(kn.gramPartial(), "gram_partial", parts, BLOCK, 4 * tile * k, src, (long) rows, k, perBlock, tile,
            partials);
        dev.launch(kn.gramReduce(), "gram_reduce", (k * k + BLOCK - 1) / BLOCK, BLOCK, 0, partials, parts, k, gram);
        double[] g = new double[k * k];
        gram.download(g);
        lastGram = g;
    }

    /** Entries staged per pass in solve_rows: about 16 KiB of factor rows. */
    static int tileRows(int k) {
        return Math.max(8, Math.min(64, 4096 / k));
    }

    /** Dynamic shared memory of solve_rows (layout in als.cu). */
    static long sharedBytes(int k, int tile, boolean aInShared) {
        return 8L * ((aInShared ? (long) k * k : 0) + k + 2L * tile) + 4L * tile * k;
    }

    /** Σ (r − xᵤ·yᵢ)² over the entries of {@code m} (rows = x side), by the squared_error kernel. */
    double squaredError(Csr m, float[] x, float[] y, int k) {
        return dev.call(() -> {
            try (DeviceCsr d = DeviceCsr.upload(dev, m, false);
                 DeviceBuffer xb = dev.alloc(4L * x.length, "x factors");
                 DeviceBuffer yb = dev.alloc(4L * y.length, "y factors")) {
                xb.upload(x);
                yb.upload(y);
                int perBlock = 64;
                int blocks = (m.rows() + perBlock - 1) / perBlock;
                try (DeviceBuffer part = dev.alloc(8L * Math.max(1, blocks), "partial sums")) {
                    dev.launch(dev.kernels().squaredError(), "squared_error", blocks, BLOCK, 8 * BLOCK, d.rowPtr, d.col,
                        d.val, xb, yb, m.rows(), k, perBlock, part);
                    double[] s = new double[Math.max(1, blocks)];
                    part.download(s);
                    double sum = 0;
                    for (int b = 0; b < blocks; b++) {
                        sum += s[b];
                    }
                    return sum;
                }
            }
        });
    }

    private DeviceBuffer ensure(DeviceBuffer b, long bytes, String what) {
        if (b != null && b.bytes() >= bytes) {
            return b;
        }
        if (b != null) {
            b.close();
        }
        return dev.alloc(bytes, what);
    }

    /** Frees every device buffer, and the device when this engine owns it. */
    @Override
    public void close() {
        try {
            dev.call(() -> {
                resident.values().forEach(DeviceCsr::close);
                resident.clear();
                for (DeviceBuffer b : new DeviceBuffer[] {src, dst, gram, partials, scratch, firstBad}) {
                    if (b != null) {
                        b.close();
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            // a broken or closed context took its memory with it
        }
        src = dst = gram = partials = scratch = firstBad = null;
        if (ownsDevice) {
            dev.close();
        }
    }
}
