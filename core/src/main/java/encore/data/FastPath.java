package encore.data;

/**
 * Whether the CSV reader's byte-level fast path ({@link FastRows}) reads the rows it can, and through how large a
 * window of the file; off, every row goes to the reference parser. Results are the same either way (the tests
 * compare them); {@code -D}{@value #PROPERTY}{@code =false} turns it off, for comparison.
 *
 * @param enabled whether the fast path is used
 * @param window  bytes of the file the fast path holds at a time (a longer row goes to the reference parser with the
 *                rest of its chunk); tests use small windows to cross window edges often
 */
record FastPath(boolean enabled, int window) {
    /** The system property that turns the fast path off when set to {@code false}. */
    static final String PROPERTY = "encore.csv.fastPath";
    /** The fast path with its 1 MiB window. */
    static final FastPath ON = new FastPath(true, 1 << 20);
    /** Every row through the reference parser. */
    static final FastPath OFF = new FastPath(false, 0);

    /** Checks the window: at least 16 bytes when enabled, at most 1 GiB. */
    FastPath {
        if (enabled && (window < 16 || window > 1 << 30)) {
            throw new IllegalArgumentException("fast-path window of " + window + " bytes, expected 16 B … 1 GiB");
        }
    }

    /** {@link #ON} unless {@value #PROPERTY} is {@code false}. */
    static FastPath byDefault() {
        return "false".equalsIgnoreCase(System.getProperty(PROPERTY)) ? OFF : ON;
    }
}
