package encore.als;

/** A fit that cannot go on, with a message that names the entity at fault. */
public final class AlsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message for the user and an optional cause. */
    public AlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
