package encore.cuda;

import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.SingularSystemException;
import encore.matrix.Csr;

/**
 * The raw CUDA ALS engine (unchecked: {@link GpuAlsBackend} checks it). One half-iteration = (implicit only) the Gram
 * matrix YᵀY by {@code gram_partial} + {@code gram_reduce}, then {@code solve_rows}, one block per non-empty row in
 * longest-first order, building that row's normal equations in double and solving them by Cholesky — or, for implicit
 * with {@code solver=cg}, {@code cg_rows} (see {@code als.cu}; the row math is on {@link encore.als.AlsBackend}).
 * Row strategies against the CPU engine's: every exact row is a Cholesky here (the CPU's {@code DualRow} and
 * {@code WoodburyRow} shortcuts give the same solution up to rounding); CG is the CPU's {@code CgRow} step for step;
 * {@code NnlsRow} (nonnegative) is not implemented ({@link #unsupported}).
 *
 * <p>A fit ({@link GpuFit}) keeps the ratings and both factor matrices on the device from start to finish; a
 * half-iteration reads and writes those resident buffers and brings back only its 4-byte status word. The stateless
 * row solve ({@link #solveRows}) uploads its inputs and downloads its result. Normal equations are double throughout,
 * on every device: exact Spark semantics come first (on consumer GPUs, whose FP64 rate is 1/32 to 1/64 of FP32, this
 * engine is slower than it could be with an FP32 build and refinement). Not thread-safe: one caller at a time.
 */
final class GpuAlsEngine implements GpuAlsBackend.Engine {
    /** Threads per block of every ALS kernel (their __launch_bounds__). */
    static final int BLOCK = 256;
    /**
     * At most this many partial Gram sums: about two blocks per SM on the largest GPUs (132 SMs), while the serial
     * reduce over parts · k² doubles stays a small pass.
     */
    private static final int GRAM_PARTS = 256;
    /** The CG kernel keeps k / 32 components per lane in registers (CG_MAX_J = 8 in als.cu). */
    static final int CG_MAX_RANK = 256;

    private final DeviceLease<GpuDevice> lease;
    private final GpuDevice dev;
    private DeviceWorkspace rowWorkspace;
    private double lastKernelMillis;

    /** @param lease the device, given back by {@link #close()} */
    GpuAlsEngine(DeviceLease<GpuDevice> lease) {
        this.lease = lease;
        this.dev = lease.device();
    }

    @Override
    public String name() {
        return "gpu";
    }

    GpuDevice device() {
        return dev;
    }

    /** CG warm-starts from the factors it overwrites (implicit with solver=cg, as on the CPU). */
    @Override
    public boolean warmStarts(AlsParams p) {
        return p.implicitPrefs() && p.solver() == AlsParams.Solver.CG;
    }

    /** Null when this engine implements these parameters, else what it lacks. */
    static String unsupported(AlsParams p) {
        if (p.nonnegative()) {
            return "nonnegative=true (NNLS) is not implemented on the GPU";
        }
        if (p.implicitPrefs() && p.solver() == AlsParams.Solver.CG && p.rank() > CG_MAX_RANK) {
            return "solver cg on the GPU supports rank <= " + CG_MAX_RANK + ", not " + p.rank();
        }
        return null;
    }

    static void requireSupported(AlsParams p) {
        String unsupported = unsupported(p);
        if (unsupported != null) {
            throw new IllegalArgumentException(unsupported);
        }
    }

    @Override
    public GpuFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams p) {
        return new GpuFit(this, userItems, itemUsers, initial, p);
    }

    @Override
    public double[] solveRows(Csr ratings, float[] src, double[] gram, float[] dst, AlsParams p) {
        int k = p.rank();
        if (src.length != (long) ratings.cols() * k || dst.length != (long) ratings.rows() * k) {
            throw new IllegalArgumentException("factor arrays do not match the " + ratings.rows() + " × "
                    + ratings.cols() + " ratings at rank " + k);
        }
        requireSupported(p);
        return dev.call(() -> {
            if (rowWorkspace == null) {
                rowWorkspace = new DeviceWorkspace(dev);
            }
            try (DeviceCsr m = DeviceCsr.upload(dev, ratings, true);
                    DeviceBuffer s = dev.upload(src, "src factors");
                    DeviceBuffer d = dev.upload(dst, "dst factors")) {
                if (gram != null && p.implicitPrefs()) {
                    // the kernels read the full symmetric YᵀY: mirror the given upper triangle
                    double[] full = new double[k * k];
                    encore.cpu.DenseSolvers.symmetricCopy(gram, k, full, k);
                    rowWorkspace.gram(k).upload(full);
                }
                lastKernelMillis = halfIteration(m, s, d, p, rowWorkspace, gram == null);
                d.download(dst);
                return p.implicitPrefs() ? rowWorkspace.downloadGram(k) : null;
            }
        });
    }

    /** Kernel time of the last row solve (Gram + solve), from CUDA events. */
    double lastKernelMillis() {
        return lastKernelMillis;
    }

    /**
     * One half-iteration on resident buffers (owner thread): every non-empty row of {@code m} solved from {@code src}
     * ({@code m.host.cols()} rows) into {@code dst}; the Gram (implicit) stays in {@code ws}.
     *
     * @return the kernel time in milliseconds
     * @throws SingularSystemException for the smallest row whose system the kernel found not positive definite
     */
    float halfIteration(DeviceCsr m, DeviceBuffer src, DeviceBuffer dst, AlsParams p, DeviceWorkspace ws) {
        return halfIteration(m, src, dst, p, ws, true);
    }

    /**
     * {@link #halfIteration(DeviceCsr, DeviceBuffer, DeviceBuffer, AlsParams, DeviceWorkspace)}; with
     * {@code computeGram} false (implicit), the workspace's Gram buffer already holds the full symmetric YᵀY to use.
     */
    float halfIteration(
            DeviceCsr m, DeviceBuffer src, DeviceBuffer dst, AlsParams p, DeviceWorkspace ws, boolean computeGram) {
        int k = p.rank();
        DeviceBuffer bad = ws.resetStatus();
        float ms;
        try (GpuDevice.Timer timer = dev.new Timer()) {
            timer.start();
            DeviceBuffer gram = !p.implicitPrefs() ? null : computeGram ? gram(src, m.host.cols(), k, ws) : ws.gram(k);
            if (warmStarts(p)) {
                int warps = BLOCK / 32;
                // one warp per row; the blocks stride over the rows, at most 16 per SM
                int grid = (int) Math.max(
                        1,
                        Math.min(
                                (m.nonEmptyRows + warps - 1L) / warps,
                                (long) dev.info().multiprocessors() * 16));
                dev.als()
                        .cgRows(
                                new Kernel.Launch(grid, BLOCK, 8 * warps * k),
                                m,
                                src,
                                dst,
                                k,
                                p.regParam(),
                                p.alpha(),
                                gram,
                                p.cgSteps(),
                                bad);
            } else {
                exactSolve(m, src, dst, p, gram, ws);
            }
            ms = timer.stopMillis();
        }
        int row = ws.readStatus();
        if (row != Integer.MAX_VALUE) {
            throw new SingularSystemException(row, m.host.rowLength(row));
        }
        return ms;
    }

    /** solve_rows over every non-empty row, A in shared memory when it fits, else in a per-block global scratch. */
    private void exactSolve(
            DeviceCsr m, DeviceBuffer src, DeviceBuffer dst, AlsParams p, DeviceBuffer gram, DeviceWorkspace ws) {
        int k = p.rank();
        int tile = tileRows(k);
        long inShared = sharedBytes(k, tile, true);
        boolean aInShared = inShared <= dev.maxDynamicShared();
        int smem = (int) (aInShared ? inShared : sharedBytes(k, tile, false));
        // blocks per SM: 8 with A in shared memory (the most that are resident at small ranks; blocks stride over the
        // rows, so more of them balance the long-row tail), 4 with A in the global scratch, which holds grid·k² doubles
        int perSm = aInShared ? 8 : 4;
        int grid = (int) Math.min(m.nonEmptyRows, (long) dev.info().multiprocessors() * perSm);
        DeviceBuffer scratch = aInShared ? null : ws.scratch(grid, k);
        dev.als()
                .solveRows(
                        new Kernel.Launch(grid, BLOCK, smem),
                        m,
                        src,
                        dst,
                        k,
                        p.regParam(),
                        p.implicitPrefs(),
                        p.alpha(),
                        gram,
                        scratch,
                        aInShared,
                        tile,
                        ws.status());
    }

    /** YᵀY of the {@code rows} src factors into the workspace's Gram buffer (device). */
    private DeviceBuffer gram(DeviceBuffer src, int rows, int k, DeviceWorkspace ws) {
        // 256 rows per part at least, at most GRAM_PARTS parts
        int parts = (int) Math.max(1, Math.min(GRAM_PARTS, (rows + 255L) / 256));
        long perBlock = (rows + (long) parts - 1) / parts;
        // stage about 32 KiB of factor rows (8192 floats) per pass
        int tile = Math.max(1, 8192 / k);
        DeviceBuffer partials = ws.partials(parts, k);
        DeviceBuffer gram = ws.gram(k);
        dev.als().gramPartial(new Kernel.Launch(parts, BLOCK, 4 * tile * k), src, rows, k, perBlock, tile, partials);
        dev.als().gramReduce(new Kernel.Launch((k * k + BLOCK - 1) / BLOCK, BLOCK, 0), partials, parts, k, gram);
        return gram;
    }

    /**
     * Entries staged per pass in solve_rows: 4096 floats (16 KiB) of factor rows, at least 8 entries so that the two
     * barriers of a pass are amortised, at most 64 so that the per-entry weights and targets stay small.
     */
    static int tileRows(int k) {
        return Math.max(8, Math.min(64, 4096 / k));
    }

    /** Dynamic shared memory of solve_rows (layout in als.cu). */
    static long sharedBytes(int k, int tile, boolean aInShared) {
        return 8L * ((aInShared ? (long) k * k : 0) + k + 2L * tile) + 4L * tile * k;
    }

    /**
     * The smallest present row of the resident {@code rows × k} factors {@code f} with a NaN or infinite value, or -1
     * (first_non_finite: a device reduction; 4 bytes come back). Owner thread.
     */
    int firstNonFinite(DeviceBuffer f, int rows, int k, DeviceBuffer presentMask, DeviceWorkspace ws) {
        DeviceBuffer first = ws.resetStatus();
        int grid = (int) Math.min((rows + BLOCK - 1L) / BLOCK, (long) dev.info().multiprocessors() * 8);
        dev.als().firstNonFinite(new Kernel.Launch(grid, BLOCK, 0), f, rows, k, presentMask, first);
        int r = ws.readStatus();
        return r == Integer.MAX_VALUE ? -1 : r;
    }

    /** Σ (r − xᵤ·yᵢ)² over the entries of {@code m} (rows = x side), by the squared_error kernel. */
    double squaredError(Csr m, float[] x, float[] y, int k) {
        return dev.call(() -> {
            int perBlock = 64;
            int blocks = (m.rows() + perBlock - 1) / perBlock;
            try (DeviceCsr d = DeviceCsr.upload(dev, m, false);
                    DeviceBuffer xb = dev.upload(x, "x factors");
                    DeviceBuffer yb = dev.upload(y, "y factors");
                    DeviceBuffer part = dev.alloc(8L * Math.max(1, blocks), "partial sums")) {
                dev.als()
                        .squaredError(
                                new Kernel.Launch(blocks, BLOCK, 8 * BLOCK), d, xb, yb, m.rows(), k, perBlock, part);
                double[] s = new double[Math.max(1, blocks)];
                part.download(s);
                double sum = 0;
                for (int b = 0; b < blocks; b++) {
                    sum += s[b];
                }
                return sum;
            }
        });
    }

    /** Frees the row-solve workspace and gives the device back (its fits must be closed first). */
    @Override
    public void close() {
        if (rowWorkspace != null) {
            try {
                dev.call(() -> {
                    rowWorkspace.close();
                    return null;
                });
            } catch (RuntimeException e) {
                // a broken or closed context took its memory with it
            }
            rowWorkspace = null;
        }
        lease.close();
    }
}
