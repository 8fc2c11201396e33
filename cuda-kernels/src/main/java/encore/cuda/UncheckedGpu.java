package encore.cuda;

import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * The raw GPU engines on one device, without the spot-checks and the CPU fallback of {@link GpuBackendProvider}'s
 * backend and scorer: for benchmarks and diagnostics (the device check in {@code encore-bench}, the self-test), which
 * time the engines themselves and check their results on their own. Production code uses the provider. Not
 * thread-safe.
 */
public final class UncheckedGpu implements AutoCloseable {
    private final GpuDevice dev;
    private final GpuAlsEngine als;
    private final GpuTopKEngine topK;

    private UncheckedGpu(GpuDevice dev) {
        this.dev = dev;
        this.als = new GpuAlsEngine(DeviceLease.borrowed(dev));
        this.topK = new GpuTopKEngine(DeviceLease.borrowed(dev));
    }

    /**
     * Opens device 0 (see {@link GpuDevice#open()}).
     *
     * @throws GpuUnavailableException with the reason when it cannot be used
     */
    public static UncheckedGpu open() throws GpuUnavailableException {
        return new UncheckedGpu(GpuDevice.open());
    }

    /** The device. */
    public GpuDevice.Info info() {
        return dev.info();
    }

    /**
     * A fit on the device (ratings and factors resident; see {@link GpuFit}), unchecked: a singular row still throws
     * {@link encore.als.SingularSystemException}; the caller closes it.
     *
     * @throws IllegalArgumentException for parameters the GPU engine does not implement (nonnegative, CG above rank
     *                                  256)
     */
    public GpuFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
        return als.startFit(userItems, itemUsers, initial, params);
    }

    /** Top-k on the device, unchecked (contract of {@link encore.als.TopKScorer#topK}). */
    public Recommendations topK(Factors queries, Factors candidates, int k, Csr exclude, int[] rows) {
        return topK.topK(queries, candidates, k, exclude, rows);
    }

    /** Kernel time of the last {@link #topK} call, from CUDA events. */
    public double lastTopKKernelMillis() {
        return topK.lastKernelMillis();
    }

    /**
     * The scorer's spot-check of a top-k result ({@code GpuTopKScorer.check}: a seeded sample of rows recomputed in
     * double): null when it passes, else what failed.
     */
    public static String checkTopK(
            Recommendations r, Factors queries, Factors candidates, int k, Csr exclude, int[] rows, long seed) {
        return GpuTopKScorer.check(r, new GpuTopKScorer.Call(queries, candidates, k, exclude, rows), seed);
    }

    GpuDevice device() {
        return dev;
    }

    GpuAlsEngine alsEngine() {
        return als;
    }

    GpuTopKEngine topKEngine() {
        return topK;
    }

    /** Closes the engines and the device. */
    @Override
    public void close() {
        als.close();
        topK.close();
        dev.close();
    }
}
