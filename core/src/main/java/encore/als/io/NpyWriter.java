package encore.als.io;

import encore.matrix.Factors;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes numpy's own {@code .npy} format, version 1.0, byte for byte as {@code numpy.save} (numpy 1.24 and later)
 * writes it:
 * <ol>
 *   <li>the magic {@code \x93NUMPY}, the version bytes {@code 1 0} and the header length as a little-endian
 *       {@code uint16};</li>
 *   <li>the header: the Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, then
 *       {@code 21 − len(repr(shape[0]))} spaces (numpy's room for growing the first axis in place), then spaces and
 *       one {@code \n} so that magic, length and header together are a multiple of 64 bytes (numpy adds a whole
 *       64 when they already are);</li>
 *   <li>the values in C (row-major) order.</li>
 * </ol>
 * Two element types are written: {@value #FLOAT32} (float32, little-endian) and {@value #BOOL} (one byte, 0 or 1).
 * {@link NpyReader} reads these files back.
 */
public final class NpyWriter {
    /** numpy's {@code descr} of little-endian float32. */
    public static final String FLOAT32 = "<f4";
    /** numpy's {@code descr} of bool (one byte, 0 or 1). */
    public static final String BOOL = "|b1";

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic (6), version (2) and header length (2) of a version 1.0 file. */
    static final int PREFIX_BYTES = 10;
    /** The alignment of the data numpy writes. */
    static final int ALIGN = 64;
    /** numpy's {@code GROWTH_AXIS_MAX_DIGITS}: room left in the header for the first axis to grow. */
    static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final int BUFFER_BYTES = 1 << 16;

    private NpyWriter() {}

    /**
     * The complete header (magic to the final {@code \n}) of a C-order array of {@code descr} with {@code shape}.
     *
     * @throws IllegalArgumentException for a negative dimension, no dimension at all, or an unknown descr
     */
    public static byte[] header(String descr, long... shape) {
        if (!descr.equals(FLOAT32) && !descr.equals(BOOL)) {
            throw new IllegalArgumentException("descr must be " + FLOAT32 + " or " + BOOL + ", got '" + descr + "'");
        }
        if (shape.length == 0) {
            throw new IllegalArgumentException("shape needs at least one dimension");
        }
        StringBuilder h =
                new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
                throw new IllegalArgumentException("shape dimension " + d + " is negative: " + shape[d]);
            }
            h.append(d == 0 ? "" : ", ").append(shape[d]);
        }
        h.append(shape.length == 1 ? ",), }" : "), }");
        h.append(" "
                .repeat(Math.max(
                        0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        int withNewline = h.length() + 1;
        int pad = ALIGN - (PREFIX_BYTES + withNewline) % ALIGN;
        h.append(" ".repeat(pad)).append('\n');
        byte[] dict = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[PREFIX_BYTES + dict.length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1; // major version
        out[7] = 0; // minor version
        out[8] = (byte) dict.length; // uint16, little-endian
        out[9] = (byte) (dict.length >>> 8);
        System.arraycopy(dict, 0, out, PREFIX_BYTES, dict.length);
        return out;
    }

    /**
     * Writes {@code f} as a {@code (rows, rank)} float32 array: row {@code r} is factor row {@code r}, and rows that
     * are not present (no factors) are zeros whatever the backing array holds.
     */
    public static void writeFactors(OutputStream out, Factors f) throws IOException {
        int rows = f.rows();
        int k = f.rank();
        out.write(header(FLOAT32, rows, k));
        float[] data = f.data();
        float[] zeros = new float[k];
        ByteBuffer buf = ByteBuffer.allocate(Math.max(BUFFER_BYTES, 4 * k)).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            if (buf.remaining() < 4 * k) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            float[] src = f.has(r) ? data : zeros;
            int off = f.has(r) ? r * k : 0;
            for (int d = 0; d < k; d++) {
                buf.putFloat(src[off + d]);
            }
        }
        out.write(buf.array(), 0, buf.position());
    }

    /** Writes which rows of {@code f} are present as a {@code (rows,)} bool array (1 = has factors). */
    public static void writePresence(OutputStream out, Factors f) throws IOException {
        int rows = f.rows();
        out.write(header(BOOL, rows));
        byte[] buf = new byte[BUFFER_BYTES];
        for (int from = 0; from < rows; from += buf.length) {
            int n = Math.min(buf.length, rows - from);
            Arrays.fill(buf, 0, n, (byte) 0);
            for (int r = f.nextPresent(from); r >= 0 && r < from + n; r = f.nextPresent(r + 1)) {
                buf[r - from] = 1;
            }
            out.write(buf, 0, n);
        }
    }
}
