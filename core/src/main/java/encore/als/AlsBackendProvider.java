package encore.als;

/**
 * Finds and opens an {@link AlsBackend}. Registered in {@code META-INF/services/encore.als.AlsBackendProvider}.
 */
public interface AlsBackendProvider extends AutoCloseable {
    /** The name users select it by (backend {@code cpu}, {@code gpu}). */
    String name();

    /** Higher wins when {@code auto} picks among available backends. */
    int priority();

    /** Null when the backend can run here, else why not ("no CUDA driver", "kernels not built", …). */
    String unavailableReason();

    /**
     * Opens the backend for a fit with these parameters. With {@link EngineOptions#fallbackAllowed()} a backend that
     * finds it cannot do the job (parameters it does not support, a device error, a failed result check) continues on
     * the CPU engine and says why in {@link AlsBackend#fallbackReason()}; without it, it throws {@link AlsException}
     * with the reason instead. Backends that never fall back ignore the flag.
     */
    AlsBackend open(AlsParams params, EngineOptions options);

    /**
     * This backend's own top-k scorer for recommendations, or null to use the CPU scorer. With
     * {@link EngineOptions#fallbackAllowed()} a scorer that fails (device error, failed spot-check) continues on the
     * CPU and says why in {@link TopKScorer#fallbackReason()}; without it, it throws {@link AlsException}.
     */
    default TopKScorer openScorer(EngineOptions options) {
        return null;
    }

    /**
     * Releases what the provider holds for what it opens (e.g. the device its probe opened); backends and scorers it
     * opened stay usable until they are closed. Idempotent; the default holds nothing.
     */
    @Override
    default void close() {}
}
