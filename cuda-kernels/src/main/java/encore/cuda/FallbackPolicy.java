package encore.cuda;

import encore.als.AlsException;

/**
 * What the checked GPU backends ({@link CheckedAlsBackend}, {@link CheckedTopKScorer}) do once the GPU cannot be
 * trusted: with {@code --backend auto} remember why and let the caller continue on the CPU; with {@code --backend gpu}
 * throw the reason as an {@link AlsException}.
 */
final class FallbackPolicy {
    private final boolean allowed;
    private String reason;

    FallbackPolicy(boolean allowed) {
        this.allowed = allowed;
    }

    /**
     * Records {@code why}.
     *
     * @throws AlsException naming {@code why} when falling back is not allowed
     */
    void fallBack(String why) {
        if (!allowed) {
            throw new AlsException("backend gpu failed: " + why + " (use --backend auto to continue on the CPU, or "
                + "--backend cpu)", null);
        }
        reason = why;
    }

    /** Why the work moved to the CPU, or null. */
    String reason() {
        return reason;
    }
}
