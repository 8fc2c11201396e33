package encore.als.io;

import java.util.Locale;

/**
 * The Encore model file format: its versions, section ids and bounds, shared by {@link ModelWriter} and
 * {@link ModelReader}. The specification of every version, byte by byte, is {@code docs/model-format.md}; that
 * document is the one place for the truth, and a change to the format changes it first.
 *
 * <p>In short: a 16-byte header (the PNG-style magic {@code 89 45 4E 43 0D 0A 1A 0A}, a u32 format version, u32 flags
 * = 0), then sections until an end marker, each {@code u32 id, u64 length, payload, u32 CRC32C} with the CRC over id,
 * length and payload (see {@link Sections}). Bit 31 of an id marks a section a reader may skip when it does not know
 * it. Little-endian throughout. Known sections come in the order of their ids, each at most once:
 *
 * <table>
 * <caption>Sections</caption>
 * <tr><th>Id</th><th>Name</th><th>Payload</th></tr>
 * <tr><td>1</td><td>params</td><td>version 2: key/value pairs under Spark's names ({@code AlsParams.toMap()}), at
 *     most {@value #MAX_PARAMS} pairs of at most {@value #MAX_PARAM_KEY_BYTES}/{@value #MAX_PARAM_VALUE_BYTES} bytes;
 *     version 1: a fixed 40-byte record</td></tr>
 * <tr><td>2</td><td>metadata</td><td>key/value pairs, keys sorted</td></tr>
 * <tr><td>3, 4</td><td>user labels, item labels</td><td>count, frequencies, length-prefixed UTF-8 labels</td></tr>
 * <tr><td>5, 6</td><td>user presence, item presence</td><td>count, then a bit set of the rows with factors</td></tr>
 * <tr><td>7, 8</td><td>user factors, item factors</td><td>f32[rows × rank], row-major</td></tr>
 * <tr><td>9</td><td>seen (optional)</td><td>the users × items training matrix as CSR structure (no values)</td></tr>
 * <tr><td>{@code 0x8000000B}</td><td>seen counts (optional)</td><td>f32[nnz]: the training ratings of the seen
 *     matrix's entries, in its order; skippable (older readers see the structure alone); only right after seen</td></tr>
 * <tr><td>{@code 0x8000000A}</td><td>initialisation (version 1 only)</td><td>init and numBlocks, skippable so that
 *     readers older than it still read the file</td></tr>
 * <tr><td>0</td><td>end marker</td><td>empty; the last bytes of the file</td></tr>
 * </table>
 *
 * <p>Version 2 changed only the params section: version 1 stored the parameters in a fixed record, so adding one
 * needed a new section (that is how {@code initialisation} came about); version 2 stores them as key/value pairs, and
 * a new parameter is a new key. This build writes version {@value #VERSION} and reads versions
 * {@value #OLDEST_READABLE_VERSION} to {@value #VERSION}.
 */
public final class ModelFormat {
    /** The format version this build writes, and the newest it reads. */
    public static final int VERSION = 2;
    /** The oldest format version this build reads (Encore 0.1.0 wrote version 1). */
    public static final int OLDEST_READABLE_VERSION = 1;

    static final byte[] MAGIC = {(byte) 0x89, 'E', 'N', 'C', '\r', '\n', 0x1A, '\n'};
    static final int HEADER_BYTES = 16;
    static final int SECTION_HEADER_BYTES = 12;
    static final int CRC_BYTES = 4;
    /** Bit 31 of a section id: a reader that does not know the section may skip it. */
    static final int SKIPPABLE = 0x8000_0000;

    static final int END = 0;
    static final int PARAMS = 1;
    static final int METADATA = 2;
    static final int USER_LABELS = 3;
    static final int ITEM_LABELS = 4;
    static final int USER_PRESENCE = 5;
    static final int ITEM_PRESENCE = 6;
    static final int USER_FACTORS = 7;
    static final int ITEM_FACTORS = 8;
    static final int SEEN = 9;
    static final int LAST_MANDATORY = ITEM_FACTORS;
    static final int LAST_KNOWN = SEEN;

    /** Version 1's fixed params record. */
    static final int V1_PARAMS_BYTES = 40;
    /** Version 1: how the fit drew its initial factors; skippable, so readers older than it still read the file. */
    static final int V1_INIT = SKIPPABLE | 10;

    static final int V1_INIT_BYTES = 5;
    /**
     * The counts of the seen matrix's entries (the training ratings), f32[nnz]; skippable (readers older than it
     * read the structure alone, as 1.0s); only right after {@code seen}. Any version ≥ 2.
     */
    static final int SEEN_COUNTS = SKIPPABLE | 11;

    /** Version 2 params: the most key/value pairs (there are 12 parameters today). */
    static final int MAX_PARAMS = 64;
    /** Version 2 params: the longest key, in UTF-8 bytes. */
    static final int MAX_PARAM_KEY_BYTES = 64;
    /** Version 2 params: the longest value, in UTF-8 bytes ({@code Double.toString} needs at most 24). */
    static final int MAX_PARAM_VALUE_BYTES = 256;

    /** The largest array length every JVM accepts. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private ModelFormat() {}

    /** The section's name as error messages use it, e.g. {@code item labels}; unknown ids in hex. */
    static String sectionName(int id) {
        return switch (id) {
            case END -> "end marker";
            case PARAMS -> "params";
            case METADATA -> "metadata";
            case USER_LABELS -> "user labels";
            case ITEM_LABELS -> "item labels";
            case USER_PRESENCE -> "user presence";
            case ITEM_PRESENCE -> "item presence";
            case USER_FACTORS -> "user factors";
            case ITEM_FACTORS -> "item factors";
            case SEEN -> "seen";
            case V1_INIT -> "initialisation";
            default -> String.format(Locale.ROOT, "0x%08x", id);
        };
    }

    /**
     * What is wrong with the structure of a seen matrix of the given shape, or null when it is one the format
     * accepts: {@code wantRows × wantCols}, rowPtr starts at 0, never decreases and ends at nnz; column indices are in
     * range and non-decreasing within each row.
     */
    static String csrProblem(int rows, int cols, int[] rowPtr, int[] colIdx, int wantRows, int wantCols) {
        if (rows != wantRows || cols != wantCols) {
            return "is " + rows + " × " + cols + ", expected " + wantRows + " × " + wantCols + " (users × items)";
        }
        if (rowPtr.length != rows + 1 || rowPtr[0] != 0 || rowPtr[rows] != colIdx.length) {
            return "row pointers do not span the " + colIdx.length + " entries";
        }
        for (int r = 0; r < rows; r++) {
            int a = rowPtr[r];
            int b = rowPtr[r + 1];
            if (b < a || b > colIdx.length) {
                return "row pointers decrease at row " + r;
            }
            int prev = 0;
            for (int q = a; q < b; q++) {
                int c = colIdx[q];
                if (c < 0 || c >= cols) {
                    return "column index " + c + " in row " + r + " is outside [0, " + cols + ")";
                }
                if (c < prev) {
                    return "column indices of row " + r + " are not sorted";
                }
                prev = c;
            }
        }
        return null;
    }

    /** {@code v} with thousands separators, as error messages print counts and lengths. */
    static String num(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
