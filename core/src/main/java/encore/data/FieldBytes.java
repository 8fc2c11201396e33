package encore.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte scans of the CSV reader: special bytes eight at a time for the fast path ({@link FastRows}), and UTF-8
 * validity, judged the same way by the fast path and by {@link Utf8ChunkReader}.
 */
final class FieldBytes {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;
    private static final long COMMAS = ONES * ',';
    private static final long QUOTES = ONES * '"';
    private static final long SPACES = ONES * ' ';

    private FieldBytes() {}

    /**
     * The index of the first byte at or after {@code i} that is a comma, a quote, below 0x20 or above 0x7F, eight
     * bytes at a time. There is always one: the sentinel line feed after the window's bytes.
     */
    static int nextSpecial(byte[] b, int i) {
        while (true) {
            long m = specialBytes((long) LONGS.get(b, i));
            if (m != 0) {
                return i + (Long.numberOfTrailingZeros(m) >>> 3);
            }
            i += 8;
        }
    }

    /**
     * The high bit of the <em>first</em> (lowest) byte of {@code w} that is a comma, a quote, below 0x20 or above
     * 0x7F, or 0 when none is. Each term is the classic "has a zero byte" test {@code (x - 0x01…) & ~x & 0x80…},
     * which may also flag bytes above a true hit (a borrow runs upward) but never below the lowest one, so the lowest
     * set bit of their union is exact; later bits are not to be trusted.
     */
    static long specialBytes(long w) {
        long comma = w ^ COMMAS;
        long quote = w ^ QUOTES;
        long hits = ((comma - ONES) & ~comma) | ((quote - ONES) & ~quote) | ((w - SPACES) & ~w) | w;
        return hits & HIGH;
    }

    /**
     * The continuation bytes a UTF-8 lead byte {@code b0} (≥ 0x80) announces: 1 for C2–DF, 2 for E0–EF, 3 for F0–F4;
     * 0 for a byte that cannot lead a valid sequence (a continuation byte, C0, C1, F5–FF).
     */
    static int continuationBytes(int b0) {
        return b0 >= 0xC2 && b0 <= 0xDF ? 1 : b0 >= 0xE0 && b0 <= 0xEF ? 2 : b0 >= 0xF0 && b0 <= 0xF4 ? 3 : 0;
    }

    /** The code point bits a lead byte with {@code need} continuation bytes carries. */
    static int leadBits(int b0, int need) {
        return b0 & (0x3F >> need);
    }

    /** The smallest code point that needs {@code need} continuation bytes (a smaller one is an overlong form). */
    static int smallestCodePoint(int need) {
        return need == 1 ? 0x80 : need == 2 ? 0x800 : 0x10000;
    }

    /**
     * The length of the valid UTF-8 sequence whose lead byte (≥ 0x80) is at {@code i}, as {@link Utf8ChunkReader}
     * judges validity (no overlong forms, no surrogates, nothing above U+10FFFF); 0 when it is invalid;
     * -1 when its bytes run past {@code len} and more are to come ({@code eof} false).
     */
    static int utf8Length(byte[] b, int i, int len, boolean eof) {
        int b0 = b[i] & 0xFF;
        int need = continuationBytes(b0);
        if (need == 0) {
            return 0;
        }
        int cp = leadBits(b0, need);
        int min = smallestCodePoint(need);
        if (i + need >= len) {
            return eof ? 0 : -1;
        }
        for (int k = 1; k <= need; k++) {
            int x = b[i + k];
            if ((x & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (x & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        return need + 1;
    }
}
