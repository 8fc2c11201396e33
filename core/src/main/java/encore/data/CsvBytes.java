package encore.data;

/**
 * RFC-4180 quote state over raw bytes, read the way univocity reads it (a quote opens a quoted field only at the
 * start of a field; {@code ""} inside one is an escaped quote; text after a closing quote continues the field
 * unquoted). Used where the reader looks at bytes before the parser does: to find a quote that never closes and rows
 * with too many fields. Outside {@link #QUOTED}, a comma ends a field and a line feed ends a row.
 */
final class CsvBytes {
    /** At the start of a field. */
    static final int FIELD_START = 0;
    /** Inside an unquoted field. */
    static final int UNQUOTED = 1;
    /** Inside a quoted field. */
    static final int QUOTED = 2;
    /** Just after a quote inside a quoted field: its end, or the first half of an escaped quote. */
    static final int QUOTE_SEEN = 3;

    private CsvBytes() {}

    /** The state after byte {@code b}. */
    static int next(int state, byte b) {
        switch (state) {
            case FIELD_START:
                return b == '"' ? QUOTED : b == ',' || b == '\n' ? FIELD_START : UNQUOTED;
            case UNQUOTED:
                return b == ',' || b == '\n' ? FIELD_START : UNQUOTED;
            case QUOTED:
                return b == '"' ? QUOTE_SEEN : QUOTED;
            default: // QUOTE_SEEN
                return b == '"' ? QUOTED : b == ',' || b == '\n' ? FIELD_START : b == '\r' ? QUOTE_SEEN : UNQUOTED;
        }
    }
}
