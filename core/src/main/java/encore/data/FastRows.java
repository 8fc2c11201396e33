package encore.data;

import java.io.IOException;
import java.util.Arrays;

/**
 * The CSV reader's byte-level fast path over one chunk: rows it can decide exactly are parsed straight from the
 * file's bytes and their labels interned from byte slices; every other row goes to the reference parser
 * (univocity, {@link ChunkParser#reference}), so that no row is ever decided differently from it.
 *
 * <h2>Simple rows</h2>
 * A row is read here when it has between 2 and the header's number of fields and every field is
 * <ul>
 *   <li>unquoted: no quote, no byte below 0x20, valid UTF-8; or</li>
 *   <li>quoted from its first byte to a closing quote followed at once by the delimiter or the line end, holding
 *       only doubled quotes ({@code ""}, one quote in the value), commas and the bytes an unquoted field may hold —
 *       no line break, so a row is one line;</li>
 * </ul>
 * and the row ends with LF, CR LF, or the end of the file. For such a row every reading agrees: RFC 4180, univocity
 * under {@link CsvDialect}'s settings (no trimming, an empty value is null) after {@link Utf8ChunkReader} (which only
 * turns CR LF into LF). An empty value, quoted or not, is null, and a column past the row's last field is null, as
 * the reference path reads them. A line that is empty or only CR LF is a skipped blank line, as there. Anything else
 * — a quote elsewhere, a CR not before LF, NUL or another control character, invalid UTF-8, one field only, more
 * fields than the header — is not simple.
 *
 * <h2>Handing rows over</h2>
 * Where a row is not simple, the reference parser takes over, at a row start (every row before it was simple, so
 * there is no doubt where it starts):
 * <ul>
 *   <li>a row without any quote byte ends at its first LF whatever else it holds, so the reference parser gets that
 *       row alone and the fast path goes on after it;</li>
 *   <li>a row with a quote byte may run over several lines, and only the reference parser knows how far: it gets
 *       the rest of the chunk (so a file full of odd quotes reads exactly as it always did, at its speed).</li>
 * </ul>
 * The reference parser numbers its lines from the span's first line, so bad-row lines are those of the file.
 *
 * <h2>Bytes</h2>
 * The chunk is read through a window ({@link FastPath#window()} bytes, 1 MiB) (positional reads of the shared channel), refilled
 * with the unfinished row moved to its front; a row longer than the window goes to the reference parser with the
 * rest of the chunk. A line feed is kept after the window's last byte, so the scans for the next interesting byte
 * (eight bytes at a time) need no bounds check.
 */
final class FastRows {
    /** Room after the window: the sentinel line feed and the eight-byte reads that may pass it. */
    private static final int PAD = 16;

    private static final int NEED_MORE = -1;
    private static final int NOT_SIMPLE = -2;

    private final ChunkParser parser;
    private final ChunkPlanner.Chunk chunk;
    private final ChunkResult res;
    private final long openQuoteLine;
    private final int window;
    private final byte[] buf;
    /** For each column of the header: the required value it holds (0 user … 3 album), or -1. */
    private final int[] slotOf;

    private final int maxFields;
    private final ByteLabelDictionary users;
    private final ItemKey key;

    /** The required values of the row being read: bytes, offset, length (0: null). */
    private final byte[][] vArr = new byte[4][];

    private final int[] vOff = new int[4];
    private final int[] vLen = new int[4];
    /** Per required value, room for a quoted value with its doubled quotes undone. */
    private final byte[][] unescaped = new byte[4][];

    /** File position of {@code buf[0]}. */
    private long bufPos;
    /** Bytes of the chunk in the window. */
    private int len;
    /** Whether the window holds the chunk's last byte. */
    private boolean eof;

    private byte[] lastUser = new byte[64];
    private int lastUserLen = -1;
    private int lastUserId;

    /** The rows' item labels waiting to be interned together. */
    private final ItemLookupQueue itemQueue;

    /** An {@link ItemKey#ARTIST_TRACK} label being put together. */
    private byte[] joined = new byte[128];

    /** The fast path over {@code chunk} through a window of {@code window} bytes, its rows going to {@code res}. */
    FastRows(ChunkParser parser, ChunkPlanner.Chunk chunk, ChunkResult res, long openQuoteLine, int window) {
        this.parser = parser;
        this.chunk = chunk;
        this.res = res;
        this.openQuoteLine = openQuoteLine;
        this.window = window;
        this.buf = res.worker.window(window, PAD);
        this.maxFields = parser.header.fieldCount();
        this.slotOf = new int[maxFields];
        Arrays.fill(slotOf, -1);
        int[] required = parser.header.required();
        for (int k = 0; k < required.length; k++) {
            slotOf[required[k]] = k;
        }
        this.users = res.worker.users;
        this.itemQueue = new ItemLookupQueue(res.worker.items);
        this.key = parser.key;
    }

    /** Reads the chunk into {@link #res}. */
    void run() throws IOException {
        readRows();
        flushItems();
    }

    private void readRows() throws IOException {
        bufPos = chunk.start();
        len = 0;
        eof = chunk.end() == chunk.start();
        long line = chunk.firstLine();
        int q = 0; // the next row's start in buf
        while (true) {
            if (q >= len) {
                if (eof || stopForFail(line)) {
                    return;
                }
                fill(q);
                q = 0;
                continue;
            }
            int next = row(q);
            if (next >= 0) {
                q = next;
                line++;
                continue;
            }
            if (next == NEED_MORE) {
                if (q == 0) { // a row longer than the window
                    rest(q, line);
                    return;
                }
                fill(q);
                q = 0;
                continue;
            }
            // not simple: find where its line ends, and whether it holds a quote
            int lf = q;
            boolean quote = false;
            while (lf < len && buf[lf] != '\n') {
                quote |= buf[lf] == '"';
                lf++;
            }
            if (quote) {
                rest(q, line);
                return;
            }
            if (lf == len && !eof) {
                if (q == 0) {
                    rest(q, line);
                    return;
                }
                fill(q);
                q = 0;
                continue;
            }
            int stop = lf == len ? len : lf + 1;
            ChunkParser.Span one = new ChunkParser.Span(bufPos + q, bufPos + stop, line, buf, q);
            flushItems(); // the rows before it get their item ids first, so ids stay in first-seen order
            if (!parser.reference(one, res, openQuoteLine)) {
                return;
            }
            q = stop;
            line++;
        }
    }

    /** Under FAIL, whether an earlier row of the file already failed: the rows from {@code line} on do not matter. */
    private boolean stopForFail(long line) {
        return parser.fail && line > parser.firstFailLine.get();
    }

    /** Hands the rest of the chunk, from the row at {@code q} (on {@code line}), to the reference parser. */
    private void rest(int q, long line) throws IOException {
        flushItems();
        long from = bufPos + q;
        parser.reference(new ChunkParser.Span(from, chunk.end(), line, null, 0), res, openQuoteLine);
    }

    /** Moves {@code buf[keep, len)} to the front and fills the window after it; puts the sentinel line feed. */
    private void fill(int keep) throws IOException {
        flushItems(); // queued labels point into the window
        int kept = len - keep;
        if (kept > 0 && keep > 0) {
            System.arraycopy(buf, keep, buf, 0, kept);
        }
        bufPos += keep;
        long from = bufPos + kept;
        int n = (int) Math.min(window - kept, chunk.end() - from);
        if (n > 0) {
            ListeningsReader.readAt(parser.ch, buf, kept, from, n);
        }
        len = kept + n;
        eof = bufPos + len == chunk.end();
        buf[len] = '\n';
    }

    // ------------------------------------------------------------------------------------------------ one row

    /**
     * Reads the row (or blank line) at {@code q}: the index after it when it was simple (and is now counted), else
     * {@link #NEED_MORE} (it runs past the window) or {@link #NOT_SIMPLE}.
     */
    private int row(int q) {
        byte[] b = buf;
        int lim = len;
        byte first = b[q];
        if (first == '\n') {
            return q + 1; // a blank line
        }
        if (first == '\r') {
            if (q + 1 < lim) {
                return b[q + 1] == '\n' ? q + 2 : NOT_SIMPLE;
            }
            return eof ? NOT_SIMPLE : NEED_MORE;
        }
        int[] vl = vLen;
        vl[0] = 0;
        vl[1] = 0;
        vl[2] = 0;
        vl[3] = 0;
        int col = 0;
        int i = q;
        while (true) {
            int slot = slotOf[col];
            if (b[i] == '"') {
                i = quoted(i, slot);
            } else {
                int fs = i;
                i = unquoted(i);
                if (slot >= 0 && i >= 0) {
                    vArr[slot] = b;
                    vOff[slot] = fs;
                    vl[slot] = i - fs;
                }
            }
            if (i < 0) {
                return i;
            }
            byte d = b[i];
            if (d == ',') {
                if (++col == maxFields) {
                    return NOT_SIMPLE; // more fields than the header: malformed, for the reference parser to say
                }
                i++;
                continue;
            }
            int next;
            if (d == '\n') {
                if (i == lim) { // the sentinel
                    if (!eof) {
                        return NEED_MORE;
                    }
                    next = lim; // the file's last row, without a line end
                } else {
                    next = i + 1;
                }
            } else if (d == '\r' && i + 1 < lim) {
                if (b[i + 1] != '\n') {
                    return NOT_SIMPLE;
                }
                next = i + 2;
            } else if (d == '\r') {
                return eof ? NOT_SIMPLE : NEED_MORE;
            } else {
                return NOT_SIMPLE; // text after a closing quote
            }
            if (col == 0) {
                return NOT_SIMPLE; // one field only
            }
            keep();
            return next;
        }
    }

    /**
     * Scans the unquoted field at {@code i}: the index of the byte that ends it (a comma, LF or CR: the caller
     * decides which are allowed there), or a negative code.
     */
    private int unquoted(int i) {
        byte[] b = buf;
        while (true) {
            i = FieldBytes.nextSpecial(b, i);
            byte c = b[i];
            if (c == ',' || c == '\n' || c == '\r') {
                return i;
            }
            if (c >= 0) {
                return NOT_SIMPLE; // a quote inside the field, or a control character
            }
            int k = FieldBytes.utf8Length(b, i, len, eof);
            if (k <= 0) {
                return k == 0 ? NOT_SIMPLE : NEED_MORE;
            }
            i += k;
        }
    }

    /**
     * Scans the quoted field whose opening quote is at {@code i}: the index just after its closing quote (the value
     * is stored for {@code slot} when that is ≥ 0), or a negative code.
     */
    private int quoted(int i, int slot) {
        byte[] b = buf;
        int lim = len;
        int s = i + 1;
        int j = s;
        boolean doubled = false;
        while (true) {
            j = FieldBytes.nextSpecial(b, j);
            byte c = b[j];
            if (c == ',') {
                j++;
            } else if (c == '"') {
                if (j + 1 >= lim && !eof) {
                    return NEED_MORE; // the next byte may be the second quote of a pair
                }
                if (j + 1 < lim && b[j + 1] == '"') {
                    doubled = true;
                    j += 2;
                    continue;
                }
                if (slot >= 0) {
                    value(slot, s, j, doubled);
                }
                return j + 1;
            } else if (c >= 0) { // a line break (or the sentinel), CR, NUL or another control character
                return j == lim && !eof ? NEED_MORE : NOT_SIMPLE;
            } else {
                int k = FieldBytes.utf8Length(b, j, len, eof);
                if (k <= 0) {
                    return k == 0 ? NOT_SIMPLE : NEED_MORE;
                }
                j += k;
            }
        }
    }

    /** Stores the quoted value {@code buf[s, e)} for {@code slot}, undoing doubled quotes when it has them. */
    private void value(int slot, int s, int e, boolean doubled) {
        if (!doubled) {
            vArr[slot] = buf;
            vOff[slot] = s;
            vLen[slot] = e - s;
            return;
        }
        byte[] u = unescaped[slot];
        if (u == null || u.length < e - s) {
            u = unescaped[slot] = new byte[Math.max(64, e - s)];
        }
        int w = 0;
        for (int k = s; k < e; k++) {
            u[w++] = buf[k];
            if (buf[k] == '"') {
                k++; // the second quote of the pair
            }
        }
        vArr[slot] = u;
        vOff[slot] = 0;
        vLen[slot] = w;
    }

    // ------------------------------------------------------------------------------------------------ the row's fate

    /** Counts the simple row just read: dropped for its first missing value, or kept with its ids. */
    private void keep() {
        res.rowsRead++;
        int[] vl = vLen;
        for (int k = 0; k < 4; k++) {
            if (vl[k] == 0) {
                res.dropped[ChunkParser.MISSING[k].ordinal()]++;
                return;
            }
        }
        res.rowUser.add(userId());
        queueItem();
    }

    /** The user's id; rows come grouped by user in most files, so the previous row's user is tried first. */
    private int userId() {
        byte[] a = vArr[0];
        int o = vOff[0];
        int n = vLen[0];
        if (n == lastUserLen && Arrays.equals(a, o, o + n, lastUser, 0, n)) {
            return lastUserId;
        }
        lastUserId = users.intern(a, o, n);
        if (lastUser.length < n) {
            lastUser = new byte[Math.max(n, lastUser.length * 2)];
        }
        System.arraycopy(a, o, lastUser, 0, n);
        lastUserLen = n;
        return lastUserId;
    }

    /**
     * Queues the row's item label (the label {@link ItemKey} makes of the row) for {@link #flushItems}, its id to come
     * at {@code rowItem}'s new last entry. (Unlike users, items seldom repeat from one row to the next — 0.8 % of the
     * generated rows — so the previous row's item is not tried first.)
     */
    private void queueItem() {
        byte[] a;
        int o;
        int n;
        switch (key) {
            case TRACK -> {
                a = vArr[1];
                o = vOff[1];
                n = vLen[1];
            }
            case ARTIST -> {
                a = vArr[2];
                o = vOff[2];
                n = vLen[2];
            }
            case ALBUM -> {
                a = vArr[3];
                o = vOff[3];
                n = vLen[3];
            }
            default -> { // ARTIST_TRACK: "artist\ttrack"
                n = vLen[2] + 1 + vLen[1];
                if (joined.length < n) {
                    joined = new byte[Math.max(n, joined.length * 2)];
                }
                System.arraycopy(vArr[2], vOff[2], joined, 0, vLen[2]);
                joined[vLen[2]] = (byte) ItemKey.ARTIST_TRACK_SEPARATOR;
                System.arraycopy(vArr[1], vOff[1], joined, vLen[2] + 1, vLen[1]);
                a = joined;
                o = 0;
            }
        }
        int slot = res.rowItem.size();
        res.rowItem.add(-1);
        if (itemQueue.add(a, o, n, slot, buf)) {
            flushItems();
        }
    }

    /** Interns the queued item labels and fills in the rows' item ids ({@link ItemLookupQueue}). */
    private void flushItems() {
        itemQueue.flush(res.rowItem.raw());
    }
}
