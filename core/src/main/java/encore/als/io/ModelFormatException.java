package encore.als.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file that {@link ModelStore} cannot read because of its content: not an Encore model, a format version this
 * build does not read, a truncated or corrupted file (checksum mismatch), or values that are inconsistent or out of
 * range. The message names the file and what is wrong, e.g.
 * {@code "model.encore: checksum mismatch in section 'item labels' (file corrupted)"}.
 *
 * <p>Problems reaching the file (missing, unreadable, an I/O error) are plain {@link IOException}s instead.
 */
public final class ModelFormatException extends IOException {
    /** The model file (not serialized: {@link Path} is not serializable). */
    private final transient Path file;
    /** What is wrong with the file. */
    private final String problem;

    /**
     * @param file    the model file
     * @param problem what is wrong with it, without the file name
     */
    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /**
     * @return the file that could not be read (null after deserialization)
     */
    public Path file() {
        return file;
    }

    /**
     * @return what is wrong with the file: the message without the file name
     */
    public String problem() {
        return problem;
    }
}
