package encore.synth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Renders the rows of a chunk of users as CSV bytes into one growing buffer. A clean row is the user label (rendered
 * once per user), a comma, the date digits (written by hand, two at a time), a comma and one copy of the track's
 * pre-rendered {@code track,artist,album\n} tail ({@link Catalog#tails}); a {@link Dirt dirty} row leaves out a field
 * or cuts the tail at its field boundaries. Only primitives and byte copies: nothing is allocated per row.
 */
final class RowWriter {
    /** The user_id prefix. */
    static final byte[] USER_PREFIX = "user_".getBytes(StandardCharsets.US_ASCII);

    /** "00".."99" as ASCII pairs, for writing two digits at a time. */
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    private final byte[] tails;
    private final int[] tailOff;
    private final int labelDigits;
    /** An upper bound on the bytes of one row. */
    private final int maxRow;

    private final byte[] label;
    private int labelLen;
    private byte[] buf;
    private int pos;
    /** The previous row, {@code buf[prevStart, prevEnd)}, for a duplicate. */
    private int prevStart = -1;

    private int prevEnd = -1;

    /**
     * A writer into {@code buf} (which it replaces by a larger copy when needed) for labels of at least
     * {@code labelDigits} digits and rows of at most {@code maxRow} bytes.
     */
    RowWriter(Catalog catalog, byte[] buf, int labelDigits, int maxRow) {
        this.tails = catalog.tails;
        this.tailOff = catalog.tailOff;
        this.labelDigits = labelDigits;
        this.maxRow = maxRow;
        this.label = new byte[USER_PREFIX.length + labelDigits];
        this.buf = buf;
    }

    /** The buffer holding the rows written so far ({@code buf()[0, length())}). */
    byte[] buf() {
        return buf;
    }

    /** Bytes written so far. */
    int length() {
        return pos;
    }

    /** Renders user {@code user}'s label for the rows that follow. */
    void startUser(int user) {
        labelLen = writeLabel(user, labelDigits, label);
    }

    /** Makes room for the next rows: at least two of the longest kind. */
    void ensureRoom() {
        if (pos + 2 * maxRow > buf.length) {
            buf = grow(buf, pos, maxRow);
        }
    }

    /** Repeats the previous row byte for byte. */
    void repeatPrevious() {
        int len = prevEnd - prevStart;
        System.arraycopy(buf, prevStart, buf, pos, len);
        prevStart = pos;
        pos += len;
        prevEnd = pos;
    }

    /** Writes the row {@code user,time,track,artist,album} of track {@code t} with {@code dirt} (not a duplicate). */
    void row(Dirt dirt, long time, int t) {
        int start = pos;
        if (dirt != Dirt.EMPTY_USER) {
            System.arraycopy(label, 0, buf, pos, labelLen);
            pos += labelLen;
        }
        buf[pos++] = ',';
        if (dirt != Dirt.EMPTY_DATE) {
            pos = writeLong(time, buf, pos);
        }
        buf[pos++] = ',';
        int o = tailOff[t];
        if (dirt.wholeTail) {
            int len = tailOff[t + 1] - o;
            System.arraycopy(tails, o, buf, pos, len);
            pos += len;
        } else {
            pos = writeDirtyTail(dirt, o, tailOff[t + 1]);
        }
        prevStart = start;
        prevEnd = pos;
    }

    /**
     * Writes the tail {@code tails[o, end)} ({@code track,artist,album\n}) with one field emptied or with the row cut
     * after the track or the artist. Rare, so it simply scans for the field boundaries.
     */
    private int writeDirtyTail(Dirt dirt, int o, int end) {
        int trackEnd = Catalog.fieldEnd(tails, o);
        int artistEnd = Catalog.fieldEnd(tails, trackEnd + 1);
        int p = pos;
        switch (dirt) {
            case EMPTY_TRACK -> p = copy(tails, trackEnd, end, buf, p);
            case EMPTY_ARTIST -> {
                p = copy(tails, o, trackEnd + 1, buf, p);
                p = copy(tails, artistEnd, end, buf, p);
            }
            case EMPTY_ALBUM -> {
                p = copy(tails, o, artistEnd + 1, buf, p);
                buf[p++] = '\n';
            }
            case CUT_AFTER_TRACK -> {
                p = copy(tails, o, trackEnd, buf, p);
                buf[p++] = '\n';
            }
            case CUT_AFTER_ARTIST -> {
                p = copy(tails, o, artistEnd, buf, p);
                buf[p++] = '\n';
            }
            default -> throw new IllegalStateException("dirt kind " + dirt);
        }
        return p;
    }

    /** Writes {@code "user_"} and {@code user} zero-padded to {@code digits} digits into {@code b}; returns the end. */
    static int writeLabel(int user, int digits, byte[] b) {
        System.arraycopy(USER_PREFIX, 0, b, 0, USER_PREFIX.length);
        int pos = USER_PREFIX.length;
        int n = Math.max(digits, Long.toString(user).length());
        long v = user;
        for (int i = pos + n - 1; i >= pos; i--) {
            b[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return pos + n;
    }

    /** Writes the decimal digits of {@code v >= 0}; returns the new position. Int arithmetic, two digits a step. */
    static int writeLong(long v, byte[] b, int pos) {
        if (v < 100_000_000L) {
            return writeInt((int) v, b, pos);
        }
        long high = v / 100_000_000L;
        int low = (int) (v - high * 100_000_000L);
        pos = high < 100_000_000L ? writeInt((int) high, b, pos) : writeLong(high, b, pos);
        // Exactly eight digits for the low part.
        for (int i = pos + 6; i >= pos; i -= 2) {
            int q = low / 100;
            int r = low - q * 100;
            b[i] = DIGIT_PAIRS[2 * r];
            b[i + 1] = DIGIT_PAIRS[2 * r + 1];
            low = q;
        }
        return pos + 8;
    }

    private static int writeInt(int v, byte[] b, int pos) {
        int len = v < 10
                ? 1
                : v < 100
                        ? 2
                        : v < 1_000
                                ? 3
                                : v < 10_000
                                        ? 4
                                        : v < 100_000
                                                ? 5
                                                : v < 1_000_000
                                                        ? 6
                                                        : v < 10_000_000
                                                                ? 7
                                                                : v < 100_000_000 ? 8 : v < 1_000_000_000 ? 9 : 10;
        int i = pos + len;
        while (v >= 100) {
            int q = v / 100;
            int r = v - q * 100;
            b[--i] = DIGIT_PAIRS[2 * r + 1];
            b[--i] = DIGIT_PAIRS[2 * r];
            v = q;
        }
        if (v >= 10) {
            b[--i] = DIGIT_PAIRS[2 * v + 1];
            b[--i] = DIGIT_PAIRS[2 * v];
        } else {
            b[--i] = (byte) ('0' + v);
        }
        return pos + len;
    }

    private static int copy(byte[] src, int from, int to, byte[] dst, int pos) {
        System.arraycopy(src, from, dst, pos, to - from);
        return pos + to - from;
    }

    private static byte[] grow(byte[] buf, int pos, int maxRow) {
        long need = (long) pos + 4L * maxRow;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(
                    "a chunk of users needs more than 2 GiB; use more users for this many rows");
        }
        return Arrays.copyOf(buf, (int)
                Math.min(Integer.MAX_VALUE - 16, Math.max((long) buf.length + (buf.length >> 1), need)));
    }
}
