package encore.als.io;

import encore.data.InputFormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads back the {@code .npy} files {@link NpyWriter} writes (and those of {@code numpy.save} of the same types):
 * version 1.0, C order, a {@code (rows, cols)} {@value NpyWriter#FLOAT32} matrix or a {@code (n,)}
 * {@value NpyWriter#BOOL} vector. The file is untrusted: the magic, the version, the header (a Python dict literal
 * with exactly the keys {@code descr}, {@code fortran_order} and {@code shape}, parsed strictly, never evaluated) and
 * the element type are checked, and the data length the shape implies must be exactly what follows the header
 * <em>before</em> anything is allocated. Problems are {@link InputFormatException}s naming the file.
 */
public final class NpyReader {
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 16;

    private NpyReader() {}

    /** A row-major float32 matrix. */
    public record Float32Matrix(int rows, int cols, float[] data) {
        /** Value {@code c} of row {@code r}. */
        public float get(int r, int c) {
            return data[r * cols + c];
        }
    }

    /** The header: element type and shape. */
    record Header(String descr, long[] shape, long dataStart) {}

    /** Reads a {@code (rows, cols)} float32 little-endian matrix. */
    public static Float32Matrix readFloat32Matrix(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch, NpyWriter.FLOAT32, 2);
            int count = elements(file, ch, h, 4);
            ByteBuffer bytes = readFully(file, ch, h.dataStart(), count * 4L);
            float[] data = new float[count];
            bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
            return new Float32Matrix((int) h.shape()[0], (int) h.shape()[1], data);
        }
    }

    /** Reads a {@code (n,)} bool vector; every byte must be 0 or 1. */
    public static boolean[] readBoolVector(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch, NpyWriter.BOOL, 1);
            int count = elements(file, ch, h, 1);
            ByteBuffer bytes = readFully(file, ch, h.dataStart(), count);
            boolean[] out = new boolean[count];
            for (int i = 0; i < count; i++) {
                byte b = bytes.get(i);
                if (b != 0 && b != 1) {
                    throw bad(file, "bool element " + i + " is " + (b & 0xff) + ", expected 0 or 1");
                }
                out[i] = b == 1;
            }
            return out;
        }
    }

    /** The number of elements, checked against the bytes that follow the header (before any allocation). */
    private static int elements(Path file, FileChannel ch, Header h, int itemBytes) throws IOException {
        long count = 1;
        for (long d : h.shape()) {
            if (d > MAX_ELEMENTS || (count *= d) > MAX_ELEMENTS) {
                throw bad(file, "shape " + shape(h.shape()) + " has more elements than one Java array holds");
            }
        }
        long expected = count * itemBytes;
        long actual = ch.size() - h.dataStart();
        if (actual != expected) {
            throw bad(
                    file,
                    "shape " + shape(h.shape()) + " needs " + expected + " data bytes, the file has " + actual
                            + (actual < expected ? " (truncated)" : " (trailing bytes)"));
        }
        return (int) count;
    }

    static Header header(Path file, FileChannel ch, String descr, int dims) throws IOException {
        long size = ch.size();
        if (size < NpyWriter.PREFIX_BYTES) {
            throw bad(file, "not a .npy file (" + size + " bytes, shorter than the magic and header length)");
        }
        ByteBuffer prefix = readFully(file, ch, 0, NpyWriter.PREFIX_BYTES);
        for (int i = 0; i < NpyWriter.MAGIC.length; i++) {
            if (prefix.get(i) != NpyWriter.MAGIC[i]) {
                throw bad(file, "not a .npy file (no \\x93NUMPY magic)");
            }
        }
        int major = prefix.get(6) & 0xff;
        int minor = prefix.get(7) & 0xff;
        if (major != 1 || minor != 0) {
            throw bad(file, ".npy format version " + major + "." + minor + " is not read, only 1.0");
        }
        int hlen = (prefix.get(8) & 0xff) | (prefix.get(9) & 0xff) << 8;
        if (NpyWriter.PREFIX_BYTES + (long) hlen > size) {
            throw bad(file, "the header length " + hlen + " runs past the end of the file (" + size + " bytes)");
        }
        ByteBuffer hb = readFully(file, ch, NpyWriter.PREFIX_BYTES, hlen);
        byte[] raw = new byte[hlen];
        hb.get(raw);
        for (byte b : raw) {
            if (b < 0x20 && b != '\n' || b >= 0x7f) {
                throw bad(file, "the header holds a byte that is not printable ASCII: " + (b & 0xff));
            }
        }
        Map<String, Object> dict = new DictParser(file, new String(raw, StandardCharsets.US_ASCII)).parse();
        Object d = dict.get("descr");
        if (!descr.equals(d)) {
            throw bad(file, "element type (descr) is " + quoted(d) + ", expected '" + descr + "'");
        }
        if (!Boolean.FALSE.equals(dict.get("fortran_order"))) {
            throw bad(file, "fortran_order is " + dict.get("fortran_order") + ": only C order (False) is read");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw bad(file, "shape is " + quoted(dict.get("shape")) + ", expected a tuple of integers");
        }
        if (shape.length != dims) {
            throw bad(file, "shape " + shape(shape) + " has " + shape.length + " dimensions, expected " + dims);
        }
        return new Header(descr, shape, NpyWriter.PREFIX_BYTES + (long) hlen);
    }

    private static String quoted(Object o) {
        return o instanceof String s ? "'" + s + "'" : o instanceof long[] l ? shape(l) : String.valueOf(o);
    }

    private static String shape(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    private static ByteBuffer readFully(Path file, FileChannel ch, long pos, long len) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(Math.toIntExact(len));
        while (bb.hasRemaining()) {
            if (ch.read(bb, pos + bb.position()) < 0) {
                throw bad(file, "the file ends early at byte " + (pos + bb.position()));
            }
        }
        return bb.flip();
    }

    static InputFormatException bad(Path file, String problem) {
        return new InputFormatException(file, 0, null, problem);
    }

    /**
     * The header dict: {@code {'key': value, …}} where a value is a quoted string, {@code True}, {@code False} or a
     * tuple of non-negative integers ({@code (5,)}, {@code (2, 3)}, {@code ()}); then only spaces and newlines. Keys
     * must be exactly {@code descr}, {@code fortran_order} and {@code shape}, once each.
     */
    private static final class DictParser {
        private final Path file;
        private final String s;
        private int at;

        DictParser(Path file, String s) {
            this.file = file;
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> out = new HashMap<>();
            expect('{');
            skipSpaces();
            while (peek() != '}') {
                int keyAt = at;
                String key = string();
                skipSpaces();
                expect(':');
                skipSpaces();
                Object value = value();
                if (!List.of("descr", "fortran_order", "shape").contains(key) || out.put(key, value) != null) {
                    at = keyAt;
                    throw fail("unexpected or repeated key '" + key + "'");
                }
                skipSpaces();
                if (peek() != ',') {
                    break;
                }
                at++;
                skipSpaces();
            }
            expect('}');
            if (out.size() != 3) {
                throw fail(
                        "the keys descr, fortran_order and shape are required, found " + new TreeSet<>(out.keySet()));
            }
            for (; at < s.length(); at++) {
                if (s.charAt(at) != ' ' && s.charAt(at) != '\n') {
                    throw fail("unexpected '" + s.charAt(at) + "' after the dict");
                }
            }
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (s.startsWith("True", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                return tuple();
            }
            throw fail("unexpected '" + c + "' where a value belongs");
        }

        private long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            boolean comma = false;
            skipSpaces();
            while (peek() != ')') {
                dims.add(integer());
                skipSpaces();
                comma = peek() == ',';
                if (!comma) {
                    break;
                }
                at++;
                skipSpaces();
            }
            expect(')');
            if (dims.size() == 1 && !comma) {
                throw fail("'(" + dims.get(0) + ")' is not a tuple (a one-element tuple is written '(n,)')");
            }
            return dims.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() {
            int start = at;
            while (at < s.length() && Character.isDigit(s.charAt(at)) && at - start < 18) {
                at++;
            }
            if (at == start || at < s.length() && Character.isDigit(s.charAt(at))) {
                throw fail("expected a non-negative integer of at most 18 digits");
            }
            return Long.parseLong(s.substring(start, at));
        }

        private String string() {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw fail("expected a quoted string");
            }
            int end = s.indexOf(q, at + 1);
            if (end < 0 || s.substring(at + 1, end).indexOf('\\') >= 0) {
                throw fail("unterminated string, or one with escapes");
            }
            String v = s.substring(at + 1, end);
            at = end + 1;
            return v;
        }

        private char peek() {
            if (at >= s.length()) {
                throw fail("the header ends early");
            }
            return s.charAt(at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected '" + c + "', found '" + s.charAt(at) + "'");
            }
            at++;
        }

        private void skipSpaces() {
            while (at < s.length() && s.charAt(at) == ' ') {
                at++;
            }
        }

        private InputFormatException fail(String what) {
            return bad(file, "malformed header at character " + at + ": " + what);
        }
    }
}
