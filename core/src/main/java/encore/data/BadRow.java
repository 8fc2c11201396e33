package encore.data;

/**
 * A row that was not read as written.
 *
 * @param line   1-based physical line where the row ends (where it starts, for an unterminated quote)
 * @param reason why
 * @param detail the field at fault or a short explanation
 */
public record BadRow(long line, DropReason reason, String detail) {
    @Override
    public String toString() {
        return "line " + line + ": " + reason.key() + (detail == null ? "" : " (" + detail + ")");
    }
}
