package encore.data;

/** What to do with a malformed row (unterminated quote, invalid UTF-8, more fields than the header). */
public enum BadRowPolicy {
    /** Count it, report the first few line numbers, go on. */
    SKIP,
    /** Stop with {@code file:line} of the first one. */
    FAIL
}
