package encore.data;

/**
 * Why a data row did not become a play. The first four follow the recipe's {@code na.drop()} after {@code date} is
 * dropped; the rest are malformed rows, governed by {@link BadRowPolicy}.
 */
public enum DropReason {
    /** The {@code user_id} field is null or empty. */
    MISSING_USER_ID("missing_user_id", false),
    /** The {@code track} field is null or empty. */
    MISSING_TRACK("missing_track", false),
    /** The {@code artist} field is null or empty. */
    MISSING_ARTIST("missing_artist", false),
    /** The {@code album} field is null or empty. */
    MISSING_ALBUM("missing_album", false),
    /** The row contains bytes that are not valid UTF-8. */
    INVALID_UTF8("invalid_utf8", true),
    /** The row has more fields than the header. */
    TOO_MANY_FIELDS("too_many_fields", true),
    /** A quoted field is opened but never closed. */
    UNTERMINATED_QUOTE("unterminated_quote", true);

    private final String key;
    private final boolean malformed;

    DropReason(String key, boolean malformed) {
        this.key = key;
        this.malformed = malformed;
    }

    /** The snake_case name used in {@code prepare.json}. */
    public String key() {
        return key;
    }

    /** True for rows the CSV reader could not read as written (as opposed to rows with a null/empty field). */
    public boolean malformed() {
        return malformed;
    }
}
