package encore.als;

/**
 * Finds and opens an {@link AlsBackend}. Registered in {@code META-INF/services/encore.als.AlsBackendProvider}.
 */
public interface AlsBackendProvider {
    /** The name users select it by ({@code --backend cpu|gpu}). */
    String name();

    /** Higher wins when {@code auto} picks among available backends. */
    int priority();

    /** Null when the backend can run here, else why not ("no CUDA driver", "kernels not built", …). */
    String unavailableReason();

    /** Opens the backend for a fit with these parameters. */
    AlsBackend open(AlsParams params);
}
