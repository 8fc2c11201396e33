package encore.data;

/**
 * Why a data row did not become a play. The first four follow the seed's {@code na.drop()} after {@code date} is
 * dropped; the rest are malformed rows, governed by {@link BadRowPolicy}.
 */
public enum DropReason {
    MISSING_USER_ID("missing_user_id", false),
    MISSING_TRACK("missing_track", false),
    MISSING_ARTIST("missing_artist", false),
    MISSING_ALBUM("missing_album", false),
    INVALID_UTF8("invalid_utf8", true),
    TOO_MANY_FIELDS("too_many_fields", true),
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
