package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsBackendProvider;
import encore.als.AlsParams;
import encore.als.CpuTopKScorer;
import encore.als.EngineOptions;
import encore.als.TopKScorer;

import java.lang.ref.Cleaner;

/**
 * Registers the CUDA engine as backend "gpu" (priority above the CPU engine, so {@code auto} prefers it). Available
 * when the probe (opening device 0: natives, driver ≥ 13.0, compute capability ≥ 7.5, kernels that load) passes.
 * What it opens is always checked: {@link GpuAlsBackend} and {@link GpuTopKScorer}.
 *
 * <p>One device per provider instance ({@link SharedDevice}): the probe opens it, and the engine and the scorer opened
 * from this provider (one {@code Backends.Choice}) share it, so {@code encore run} — probe, train, recommend — opens
 * the device and loads the kernels once. The probe's hold on the device is given back by {@link #close()} (a
 * {@code Backends.Choice} closes its provider; {@code Backends.choose} closes those it passes over) or, as a safety net
 * for a provider someone forgets to close, when it becomes unreachable; the device closes once the engines and
 * scorers opened from it are closed too.
 */
public final class GpuBackendProvider implements AlsBackendProvider {
    private static final long SPOT_CHECK_SEED = 0x5EED;
    /** Releases the probe hold of providers that become unreachable unclosed (a service, not state of ours). */
    private static final Cleaner CLEANER = Cleaner.create();

    private final DeviceEngines<?> engines;

    /** The provider of the real GPU (what the ServiceLoader instantiates). */
    public GpuBackendProvider() {
        this(DeviceEngines.gpu());
    }

    /** A provider over {@code engines} (tests: a fake device and the CPU twin). */
    GpuBackendProvider(DeviceEngines<?> engines) {
        this.engines = engines;
        CLEANER.register(this, engines::close);
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public int priority() {
        return 100;
    }

    /** The probe's reason, found once per provider instance (the device it opens stays open for what follows). */
    @Override
    public String unavailableReason() {
        return engines.probe();
    }

    @Override
    public AlsBackend open(AlsParams params, EngineOptions options) {
        String unsupported = unsupported(params);
        if (unsupported != null) {
            return new GpuAlsBackend(null, unsupported, options, params.seed());
        }
        try {
            return new GpuAlsBackend(engines.openAls(), null, options, params.seed());
        } catch (GpuUnavailableException e) {
            return new GpuAlsBackend(null, e.getMessage(), options, params.seed());
        }
    }

    @Override
    public TopKScorer openScorer(EngineOptions options) {
        TopKScorer cpu = new CpuTopKScorer(options.threads());
        try {
            return new GpuTopKScorer(engines.openTopK(), null, cpu, options.fallbackAllowed(), SPOT_CHECK_SEED);
        } catch (GpuUnavailableException e) {
            return new GpuTopKScorer(null, e.getMessage(), cpu, options.fallbackAllowed(), SPOT_CHECK_SEED);
        }
    }

    /** Null when the GPU engine implements these parameters, else what it lacks. */
    static String unsupported(AlsParams p) {
        return GpuAlsEngine.unsupported(p);
    }

    /** How many times this provider has opened (or tried to open) its device. */
    int deviceOpens() {
        return engines.opens();
    }

    /** Whether this provider's device is open now. */
    boolean deviceOpen() {
        return engines.deviceOpen();
    }

    /**
     * Gives the probe's hold on the device back: the device closes now, or when the last engine or scorer opened from
     * this provider closes. Idempotent; the provider still works afterwards (what it opens then opens the device).
     */
    @Override
    public void close() {
        engines.close();
    }
}
