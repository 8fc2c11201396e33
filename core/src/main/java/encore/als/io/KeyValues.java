package encore.als.io;

import encore.als.io.Sections.Section;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import static encore.als.io.ModelFormat.MAX_ARRAY;
import static encore.als.io.ModelFormat.num;

/**
 * A section of string pairs, the payload of {@code metadata} and (format 2) {@code params}: u32 count, then count ×
 * (u32 key length, key bytes, u32 value length, value bytes), strict UTF-8, keys unique. Encoding keeps the map's
 * order; reading keeps the file's order.
 */
final class KeyValues {
    /** How many pairs a section may hold and how long each key and value may be, in UTF-8 bytes. */
    record Limits(int maxPairs, int maxKeyBytes, int maxValueBytes) {
        /** Bounded only by the file (metadata). */
        static final Limits FILE = new Limits(MAX_ARRAY, MAX_ARRAY, MAX_ARRAY);

        /** The largest payload these limits allow. */
        long maxPayload() {
            return 4 + maxPairs * (8L + maxKeyBytes + maxValueBytes);
        }
    }

    /** Key, value, key, value, … as UTF-8. */
    private final byte[][] bytes;

    private final long payload;

    private KeyValues(byte[][] bytes, long payload) {
        this.bytes = bytes;
        this.payload = payload;
    }

    /**
     * Encodes {@code pairs} in their iteration order.
     *
     * @param what names the pairs in messages, e.g. {@code metadata}
     * @throws IllegalArgumentException when a key or value is not valid Unicode or exceeds {@code limits}
     */
    static KeyValues encode(Map<String, String> pairs, String what, Limits limits) {
        if (pairs.size() > limits.maxPairs()) {
            throw new IllegalArgumentException(
                    pairs.size() + " " + what + " entries exceed the format's limit of " + limits.maxPairs());
        }
        byte[][] bytes = new byte[pairs.size() * 2][];
        long payload = 4;
        int m = 0;
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            byte[] k = Utf8.encode(e.getKey(), what + " key");
            byte[] v = Utf8.encode(e.getValue(), what + " value of " + e.getKey());
            if (k.length > limits.maxKeyBytes() || v.length > limits.maxValueBytes()) {
                throw new IllegalArgumentException(what + " entry " + e.getKey() + " exceeds the format's limit of "
                        + limits.maxKeyBytes() + " key bytes and " + limits.maxValueBytes() + " value bytes");
            }
            bytes[m++] = k;
            bytes[m++] = v;
            payload += 8L + k.length + v.length;
        }
        return new KeyValues(bytes, payload);
    }

    /** Writes the pairs as section {@code id}. */
    void write(Sections.Writer w, int id) throws IOException {
        w.begin(id, payload);
        w.putInt(bytes.length / 2);
        for (byte[] b : bytes) {
            w.putInt(b.length);
            w.putBytes(b);
        }
        w.end();
    }

    /**
     * Reads section {@code s} as pairs within {@code limits}: the section's length is checked against them before
     * anything is read, and every count and length against the limits and the bytes that remain.
     *
     * @return the pairs in file order, unmodifiable
     */
    static Map<String, String> read(Sections.Reader in, Section s, Limits limits) throws IOException {
        if (s.length() > limits.maxPayload()) {
            throw in.corrupt(s, num(s.length()) + " bytes exceed the format's limit of " + num(limits.maxPayload()));
        }
        ByteBuffer b = in.readAll(s);
        int n = in.count(b, s, "entry count", 8);
        if (n > limits.maxPairs()) {
            throw in.error(s, num(n) + " entries exceed the format's limit of " + limits.maxPairs());
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = string(in, b, s, "key " + i, limits.maxKeyBytes());
            String v = string(in, b, s, "value " + i, limits.maxValueBytes());
            if (map.put(k, v) != null) {
                throw in.error(s, "duplicate key \"" + k + "\"");
            }
        }
        if (b.hasRemaining()) {
            throw in.error(s, num(b.remaining()) + " unexpected bytes after the last entry");
        }
        return Collections.unmodifiableMap(map);
    }

    private static String string(Sections.Reader in, ByteBuffer b, Section s, String what, int maxBytes)
            throws ModelFormatException {
        int len = in.count(b, s, "length of " + what, 1);
        if (len > maxBytes) {
            throw in.error(s, what + " of " + num(len) + " bytes exceeds the format's limit of " + maxBytes);
        }
        int off = b.position();
        b.position(off + len);
        String str = Utf8.decode(b.array(), off, len);
        if (str == null) {
            throw in.error(s, what + " is not valid UTF-8");
        }
        return str;
    }
}
