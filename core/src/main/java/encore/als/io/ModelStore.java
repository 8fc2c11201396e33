package encore.als.io;

import encore.als.AlsModel;
import encore.matrix.Csr;
import encore.util.AtomicOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Saves and loads an {@link AlsModel} (plus, optionally, the matrix of training entries used to exclude already-seen
 * items) as a versioned, self-describing, checksummed binary file; the format is {@link ModelFormat} (specified in
 * {@code docs/model-format.md}), written by {@link ModelWriter} and read by {@link ModelReader}.
 *
 * <p>Model files are treated as untrusted input: every count and length is checked against the bytes that are
 * actually left in the file <em>before</em> anything is allocated, every section carries a CRC32C, and all values are
 * validated (rank range, label uniqueness and UTF-8 validity, CSR structure, array sizes that agree with each other).
 * Any problem with the content is reported as a {@link ModelFormatException} naming the file and what is wrong; Java
 * object serialization is never used. Saving goes through {@link AtomicOutput}, so readers see the previous file or
 * the complete new one, never a partial write. Files of every format version since Encore 0.1.0 load; saving always
 * writes the newest.
 */
public final class ModelStore {
    /** The format version this class writes, and the newest it reads ({@link ModelFormat#VERSION}). */
    public static final int FORMAT_VERSION = ModelFormat.VERSION;

    private ModelStore() {}

    /**
     * A loaded model file.
     *
     * @param model    the model, with the parameters it was fitted with
     * @param seen     when the model was saved with one, the users × items matrix of training entries, for excluding
     *                 already-seen items and for explaining a user's recommendations; otherwise null
     * @param seenCounts whether {@code seen}'s values are the training ratings (files written since the
     *                 {@code seen counts} section); otherwise every value reads back as 1.0f
     * @param metadata the stored metadata (e.g. created-by, source file, timestamp), unmodifiable, in file order
     *                 (sorted by key, as {@link #save} writes it)
     */
    public record Stored(AlsModel model, Csr seen, boolean seenCounts, Map<String, String> metadata) {}

    /**
     * Writes {@code model} to {@code file} atomically (temporary file, fsync, rename): on any failure the previous
     * file, if any, is left untouched and no temporary file remains. The same arguments always give the same bytes.
     *
     * @param file       where to write (its directory is created if needed)
     * @param model      the model
     * @param seenOrNull the users × items training matrix to store for excluding already-seen items and for
     *                   explanations (its structure and its values, the training ratings), or null
     * @param metadata   free-form string pairs to store (null for none)
     * @throws IllegalArgumentException when a label, metadata key or value is not valid Unicode (an unpaired
     *                                  surrogate), a frequency is negative, or {@code seenOrNull} does not match the
     *                                  model's shape, is not a well-formed CSR matrix or has a value that is not finite
     * @throws IOException              when the file cannot be written
     */
    public static void save(Path file, AlsModel model, Csr seenOrNull, Map<String, String> metadata)
            throws IOException {
        save(file, model, seenOrNull, true, metadata);
    }

    /**
     * {@link #save(Path, AlsModel, Csr, Map)}, storing {@code seenOrNull}'s values (the {@code seen counts} section)
     * only when {@code withCounts}: false re-saves a loaded file whose {@link Stored#seenCounts()} is false as it was.
     */
    public static void save(Path file, AlsModel model, Csr seenOrNull, boolean withCounts, Map<String, String> metadata)
            throws IOException {
        ModelWriter.write(
                file, model, new ModelWriter.Seen(seenOrNull, withCounts), metadata, UnaryOperator.identity());
    }

    /** {@link #save} with the output stream wrapped by {@code wrap} (tests inject failures here). */
    static void save(
            Path file, AlsModel model, Csr seenOrNull, Map<String, String> metadata, UnaryOperator<OutputStream> wrap)
            throws IOException {
        ModelWriter.write(file, model, new ModelWriter.Seen(seenOrNull, true), metadata, wrap);
    }

    /**
     * Reads a model file written by {@link #save} of this or an earlier Encore (format versions
     * {@value ModelFormat#OLDEST_READABLE_VERSION} to {@value ModelFormat#VERSION}). Nothing is returned unless every
     * section's checksum matched and every value passed validation.
     *
     * @param file the model file
     * @return the model, the seen matrix when one was stored, and the metadata
     * @throws ModelFormatException when the file is not an Encore model, has a format version this build does not
     *                              read, is truncated or corrupted, or holds inconsistent, unknown or out-of-range
     *                              values
     * @throws IOException          when the file cannot be read
     */
    public static Stored load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return ModelReader.read(file);
    }
}
