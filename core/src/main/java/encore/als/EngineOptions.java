package encore.als;

/**
 * How an engine runs, as opposed to what it computes ({@link encore.als.AlsParams}): execution settings never change a
 * result (factors are bit-identical whatever the thread count) and are not stored in a model.
 *
 * @param threads         CPU worker threads (≥ 1)
 * @param fallbackAllowed whether a checked accelerated engine may continue on the CPU when it finds it cannot do the
 *                        job (what backend {@code auto} asks for), instead of throwing
 */
public record EngineOptions(int threads, boolean fallbackAllowed) {
    /** Checks the thread count. */
    public EngineOptions {
        requireThreads(threads);
    }

    /** {@code threads} when it is at least 1, else an {@link IllegalArgumentException} naming the parameter. */
    static int requireThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return threads;
    }

    /** Every core, with the fallback allowed. */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), true);
    }
}
