package encore.spark;

import java.io.IOException;

/**
 * Something {@link SparkModelFiles} reads is not what it must be: a directory that is not a Spark {@code ALSModel}, a
 * factor DataFrame with the wrong schema, a duplicate id, a factor of the wrong length or not finite, a label file
 * that is not strict CSV, not UTF-8 or has a duplicate id or label, an {@code encore.json} that does not agree with
 * the model. The message names the file (or directory) and the field or line: {@code "users.csv line 4: id 7 appears
 * twice (lines 2 and 4)"}. Problems reaching a file (missing, unreadable) are plain {@link IOException}s.
 */
public final class InteropFormatException extends IOException {
    /** @param message what is wrong, starting with the file or directory it is about */
    public InteropFormatException(String message) {
        super(message);
    }

    /** @param message what is wrong, starting with the file or directory; {@code cause} the parser's error */
    public InteropFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
