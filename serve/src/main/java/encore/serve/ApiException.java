package encore.serve;

/**
 * A request the server refuses: the HTTP status and a message for the client, sent as {@code {"error": message}}.
 * Messages name the parameter or field at fault and never carry internals.
 */
final class ApiException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    ApiException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** The HTTP status. */
    int status() {
        return status;
    }
}
