package encore.als;

/** A row's normal equations are not positive definite (e.g. regParam 0 and fewer ratings than the rank). */
public final class SingularSystemException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The dst row whose system failed. */
    private final int row;
    /** How many ratings that row has. */
    private final int entries;

    /** Creates the exception for dst row {@code row}, which has {@code entries} ratings. */
    public SingularSystemException(int row, int entries) {
        super("normal equations of row " + row + " (" + entries + " ratings) are not positive definite");
        this.row = row;
        this.entries = entries;
    }

    /** The dst row whose system failed. */
    public int row() {
        return row;
    }

    /** How many ratings that row has. */
    public int entries() {
        return entries;
    }
}
