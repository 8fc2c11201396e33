package encore.cuda;

import encore.als.AlsException;

/**
 * The skeleton the checked GPU wrappers ({@link GpuAlsBackend}, {@link GpuTopKScorer}) share: an accelerated engine
 * used until it fails once. {@link #fallBack} releases it for good; then, with the fallback allowed (backend
 * {@code auto}), the reason is kept and the wrapper continues on the CPU; without it (backend {@code gpu}) the reason
 * is thrown as an {@link AlsException}. Not thread-safe (one caller at a time, as the wrappers).
 *
 * @param <E> the engine type
 */
final class CheckedEngine<E extends CheckedEngine.Releasable> {
    /** An engine that holds native resources until closed. */
    interface Releasable extends AutoCloseable {
        @Override
        void close();
    }

    private final boolean fallbackAllowed;
    private E engine;
    private String reason;

    /**
     * @param engine          the engine (null: start on the CPU, with {@code reason})
     * @param reason          why there is no engine (with a null engine)
     * @param fallbackAllowed whether to continue on the CPU instead of throwing
     * @throws AlsException with {@code reason} when there is no engine and no fallback
     */
    CheckedEngine(E engine, String reason, boolean fallbackAllowed) {
        this.engine = engine;
        this.fallbackAllowed = fallbackAllowed;
        if (engine == null) {
            fallBack(reason);
        }
    }

    /** The engine, or null once fallen back. */
    E engine() {
        return engine;
    }

    /** Why the work moved to the CPU, or null. */
    String reason() {
        return reason;
    }

    /**
     * Releases the engine and records {@code why}.
     *
     * @throws AlsException naming {@code why} when falling back is not allowed
     */
    void fallBack(String why) {
        close();
        if (!fallbackAllowed) {
            throw new AlsException("backend gpu failed: " + why + " (backend=auto would continue on the CPU)", null);
        }
        reason = why;
    }

    /** Releases the engine (idempotent). */
    void close() {
        if (engine != null) {
            E e = engine;
            engine = null;
            e.close();
        }
    }
}
