package encore.cuda;

import encore.als.spi.AlsBackend;
import encore.als.spi.AlsBackendProvider;
import encore.als.AlsParams;
import encore.als.spi.TopKScorer;
import encore.als.CpuTopKScorer;
import encore.als.spi.EngineOptions;

/**
 * Registers the CUDA engine as backend "gpu" (priority above the CPU engine, so {@code auto} prefers it). Available
 * when the probe ({@link GpuDevice#open()}: natives, driver ≥ 13.0, a device of compute capability ≥ 7.5, kernels
 * that load) passes. What it opens is always checked ({@link CheckedAlsBackend}).
 */
public final class GpuBackendProvider implements AlsBackendProvider {
    private static final long SPOT_CHECK_SEED = 0x5EED;
    private String probed;
    private boolean probeDone;

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public int priority() {
        return 100;
    }

    /** The probe's reason, computed once per provider instance. */
    @Override
    public synchronized String unavailableReason() {
        if (!probeDone) {
            probed = GpuProbe.run().reason();
            probeDone = true;
        }
        return probed;
    }

    @Override
    public AlsBackend open(AlsParams params, EngineOptions options) {
        String unsupported = unsupported(params);
        if (unsupported != null) {
            return new CheckedAlsBackend(null, unsupported, options, params.seed());
        }
        GpuDevice dev;
        try {
            dev = GpuDevice.open();
        } catch (GpuUnavailableException e) {
            return new CheckedAlsBackend(null, e.getMessage(), options, params.seed());
        }
        return new CheckedAlsBackend(new GpuAlsEngine(dev, true), null, options, params.seed());
    }

    @Override
    public TopKScorer openScorer(EngineOptions options) {
        TopKScorer cpu = new CpuTopKScorer(options.threads());
        try {
            return new CheckedTopKScorer(new GpuTopKScorer(GpuDevice.open(), true), null, cpu,
                options.fallbackAllowed(), SPOT_CHECK_SEED);
        } catch (GpuUnavailableException e) {
            return new CheckedTopKScorer(null, e.getMessage(), cpu, options.fallbackAllowed(), SPOT_CHECK_SEED);
        }
    }

    /** Null when the GPU engine implements these parameters, else what it lacks. */
    static String unsupported(AlsParams p) {
        if (p.nonnegative()) {
            return "nonnegative=true (NNLS) is not implemented on the GPU";
        }
        if (GpuAlsEngine.usesCg(p) && p.rank() > GpuAlsEngine.CG_MAX_RANK) {
            return "solver cg on the GPU supports rank <= " + GpuAlsEngine.CG_MAX_RANK + ", not " + p.rank();
        }
        return null;
    }
}
