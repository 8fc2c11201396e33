package encore.als.io;

import java.util.Locale;

/**
 * The Encore model file format: its version, section ids and bounds, shared by {@link ModelWriter} and
 * {@link ModelReader}.
 *
 * <p>A 16-byte header (the PNG-style magic {@code 89 45 4E 43 0D 0A 1A 0A}, a u32 format version, u32 flags = 0),
 * then sections until an end marker, each {@code u32 id, u64 length, payload, u32 CRC32C} with the CRC over id,
 * length and payload (see {@link Sections}). Bit 31 of an id marks a section a reader may skip when it does not know
 * it. Little-endian throughout. Known sections come in the order of their ids, each at most once: params (1, a fixed
 * 40-byte record), metadata (2), user and item labels (3, 4), user and item presence (5, 6), user and item factors (7,
 * 8), seen (9, optional), the skippable initialisation section ({@code 0x8000000A}, right after params) and the end
 * marker (0).
 */
public final class ModelFormat {
    /** The format version this build writes, and the newest it reads. */
    public static final int VERSION = 1;
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

    /** The largest array length every JVM accepts. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private ModelFormat() {
    }

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
