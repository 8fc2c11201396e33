package encore.cuda;

/** The GPU cannot be used here; the message is the one-line reason shown to the user. */
public final class GpuUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    GpuUnavailableException(String reason) {
        super(reason);
    }
}
