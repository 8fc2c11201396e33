package encore.als.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Strict UTF-8 both ways: nothing is replaced, what cannot be encoded or decoded exactly is refused. */
final class Utf8 {
    private Utf8() {}

    /**
     * UTF-8 bytes of {@code s}; unpaired surrogates (which UTF-8 cannot represent) are rejected, not replaced.
     *
     * @throws IllegalArgumentException naming {@code what} for an unpaired surrogate
     */
    static byte[] encode(String s, String what) {
        Objects.requireNonNull(s, what);
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new IllegalArgumentException(
                            what + " contains an unpaired surrogate at char " + i + " and cannot be stored as UTF-8");
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The string in {@code a[off, off + len)}, or null when those bytes are not well-formed UTF-8. The JDK's fast
     * decoder replaces every malformed sequence with U+FFFD, so only a result containing U+FFFD (usually a genuine
     * replacement character) is decoded again strictly to tell the two apart.
     */
    static String decode(byte[] a, int off, int len) {
        String str = new String(a, off, len, StandardCharsets.UTF_8);
        if (str.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(a, off, len)); // reports malformed input
            } catch (CharacterCodingException e) {
                return null;
            }
        }
        return str;
    }
}
