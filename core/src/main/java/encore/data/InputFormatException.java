package encore.data;

import java.nio.file.Path;

/** Input that cannot be used as it is, with the file, the 1-based line (0 when unknown) and the field at fault. */
public final class InputFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    /** The 1-based line at fault, or 0 when unknown. */
    private final long line;
    /** The field (column name) at fault, or null when the whole row or file is. */
    private final String field;

    /** Creates the exception; the message starts with the file, the line (when known) and the field (if any). */
    public InputFormatException(Path file, long line, String field, String message) {
        super(format(file, line, field, message));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    private static String format(Path file, long line, String field, String message) {
        StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (field != null) {
            sb.append("field '").append(field).append("': ");
        }
        sb.append(message);
        // one line whatever the input held (a header name may contain a quoted line break)
        for (int i = 0; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c == '\n' || c == '\r') {
                sb.replace(i, i + 1, c == '\n' ? "\\n" : "\\r");
            }
        }
        return sb.toString();
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The 1-based line at fault, or 0 when unknown. */
    public long line() {
        return line;
    }

    /** The field (column name) at fault, or null when the whole row or file is. */
    public String field() {
        return field;
    }
}
