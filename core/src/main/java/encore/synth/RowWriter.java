package encore.synth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Renders the rows of a chunk of users as CSV bytes into one growing buffer, once {@link PlayModel} and {@link Dirt}
 * have decided each row's track and dirt. A clean row is the user label (rendered once per user), a comma, the date
 * digits (written by hand, two at a time), a comma and one copy of the track's pre-rendered
 * {@code track,artist,album\n} tail ({@link Catalog#tails}); a dirty row leaves out a field or cuts the tail at its
 * field boundaries. Only primitives and byte copies: nothing is allocated per row.
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

    private static final Dirt[] KINDS = Dirt.values();

    private final byte[] tails;
    private final int[] tailOff;
    private final int labelDigits;
    /** An upper bound on the bytes of one row. */
    private final int maxRow;

    private final byte[] label;
    private byte[] buf;
    private int pos;
    /** The sum of the prefetched bytes: written so that the JIT cannot drop the loads as unused. */
    private int prefetched;

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

    /**
     * Renders the {@code n} rows of user {@code user}: row i is {@code user,times[i],track,artist,album} of track
     * {@code tracks[i]} with the dirt whose ordinal is {@code dirt[i]}; a {@link Dirt#DUPLICATE} repeats the row
     * before it (never the user's first row). The hot loop of the generator, kept in one method so that the JIT
     * compiles it as one piece: locals, byte copies and the hand-written digits only.
     *
     * <p>A big catalogue's tails do not fit in cache, and a row's tail is a random one: the copy loop would wait for
     * one cache miss per row. So a first pass reads the first byte of every tail the user's rows will copy; those
     * loads are independent, so the processor has many misses in flight at once, and the copy loop then finds the
     * tails in cache (on a 3 M-row file, a single-threaded run then takes about a third less CPU time).
     */
    void writeUser(int user, int n, byte[] dirt, int[] tracks, long[] times) {
        prefetchTails(tracks, n);
        int labelLen = writeLabel(user, labelDigits, label);
        byte[] b = buf;
        int p = pos;
        int prevStart = -1;
        int prevEnd = -1;
        for (int i = 0; i < n; i++) {
            if (p + 2 * maxRow > b.length) {
                b = grow(b, p, maxRow);
            }
            Dirt d = KINDS[dirt[i]];
            int start = p;
            if (d == Dirt.DUPLICATE) {
                int len = prevEnd - prevStart;
                System.arraycopy(b, prevStart, b, p, len);
                p += len;
            } else {
                if (d != Dirt.EMPTY_USER) {
                    System.arraycopy(label, 0, b, p, labelLen);
                    p += labelLen;
                }
                b[p++] = ',';
                if (d != Dirt.EMPTY_DATE) {
                    p = writeLong(times[i], b, p);
                }
                b[p++] = ',';
                int t = tracks[i];
                int o = tailOff[t];
                if (d.wholeTail) {
                    int len = tailOff[t + 1] - o;
                    System.arraycopy(tails, o, b, p, len);
                    p += len;
                } else {
                    p = writeDirtyTail(d, tails, o, tailOff[t + 1], b, p);
                }
            }
            prevStart = start;
            prevEnd = p;
        }
        buf = b;
        pos = p;
    }

    /** Loads the first byte of the tail of each of {@code tracks[0, n)} (see {@link #writeUser}). */
    private void prefetchTails(int[] tracks, int n) {
        int sum = 0;
        for (int i = 0; i < n; i++) {
            sum += tails[tailOff[tracks[i]]];
        }
        prefetched += sum;
    }

    /**
     * Writes the tail {@code tails[o, end)} ({@code track,artist,album\n}) with one field emptied or with the row cut
     * after the track or the artist. Rare, so it simply scans for the field boundaries.
     */
    private static int writeDirtyTail(Dirt dirt, byte[] tails, int o, int end, byte[] buf, int pos) {
        int trackEnd = Catalog.fieldEnd(tails, o);
        int artistEnd = Catalog.fieldEnd(tails, trackEnd + 1);
        switch (dirt) {
            case EMPTY_TRACK -> pos = copy(tails, trackEnd, end, buf, pos);
            case EMPTY_ARTIST -> {
                pos = copy(tails, o, trackEnd + 1, buf, pos);
                pos = copy(tails, artistEnd, end, buf, pos);
            }
            case EMPTY_ALBUM -> {
                pos = copy(tails, o, artistEnd + 1, buf, pos);
                buf[pos++] = '\n';
            }
            case CUT_AFTER_TRACK -> {
                pos = copy(tails, o, trackEnd, buf, pos);
                buf[pos++] = '\n';
            }
            case CUT_AFTER_ARTIST -> {
                pos = copy(tails, o, artistEnd, buf, pos);
                buf[pos++] = '\n';
            }
            default -> throw new IllegalStateException("dirt kind " + dirt);
        }
        return pos;
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
