package encore.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The slow path for a chunk holding a row with more than {@link ListeningsReader#MAX_COLUMNS} fields, which the CSV
 * parser refuses outright (it allocates its row buffer up front): {@link #scan} finds such rows with a byte-level
 * RFC-4180 state machine (a quote opens a quoted field only at a field start, as univocity reads it), and
 * {@link #blank} feeds the parser the chunk with those rows' bytes removed except their line feeds, so the parser sees
 * blank lines there (which it skips) and line numbers stay those of the file. The reader then counts each such row
 * as malformed ({@link DropReason#TOO_MANY_FIELDS}) at its line.
 */
final class OverlongRows {
    /** Byte ranges [start, end) of the overlong rows, ascending, and their first and last 1-based chunk lines. */
    final long[] start;
    final long[] end;
    final long[] firstLine;
    final long[] lastLine;
    final int[] fields;
    final int count;

    private OverlongRows(long[] start, long[] end, long[] firstLine, long[] lastLine, int[] fields, int count) {
        this.start = start;
        this.end = end;
        this.firstLine = firstLine;
        this.lastLine = lastLine;
        this.fields = fields;
        this.count = count;
    }

    /** Finds the rows of [from, to) with more than {@code maxFields} fields; lines are counted from 1 at {@code from}. */
    static OverlongRows scan(FileChannel ch, long from, long to, int maxFields) throws IOException {
        final int fieldStart = 0;
        final int unquoted = 1;
        final int quoted = 2;
        final int quoteSeen = 3;
        long[] s = new long[4];
        long[] e = new long[4];
        long[] fl = new long[4];
        long[] ll = new long[4];
        int[] nf = new int[4];
        int n = 0;
        int state = fieldStart;
        long line = 1;
        long recStart = from;
        long recLine = 1;
        long fieldCount = 1;
        byte[] buf = new byte[1 << 16];
        long pos = from;
        while (pos < to) {
            int len = (int) Math.min(buf.length, to - pos);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
            while (bb.hasRemaining()) {
                if (ch.read(bb, pos + bb.position()) < 0) {
                    throw new IOException("file ended early at byte " + (pos + bb.position())
                        + "; was it truncated while being read?");
                }
            }
            for (int i = 0; i < len; i++) {
                byte b = buf[i];
                boolean recordEnd = false;
                switch (state) {
                    case fieldStart:
                        if (b == '"') {
                            state = quoted;
                        } else if (b == ',') {
                            fieldCount++;
                        } else if (b == '\n') {
                            recordEnd = true;
                        } else {
                            state = unquoted;
                        }
                        break;
                    case unquoted:
                        if (b == ',') {
                            fieldCount++;
                            state = fieldStart;
                        } else if (b == '\n') {
                            recordEnd = true;
                        }
                        break;
                    case quoted:
                        if (b == '"') {
                            state = quoteSeen;
                        }
                        break;
                    default: // quoteSeen
                        if (b == '"') {
                            state = quoted;
                        } else if (b == ',') {
                            fieldCount++;
                            state = fieldStart;
                        } else if (b == '\n') {
                            recordEnd = true;
                        } else if (b != '\r') {
                            state = unquoted;
                        }
                        break;
                }
                if (recordEnd) {
                    if (fieldCount > maxFields) {
                        if (n == s.length) {
                            s = java.util.Arrays.copyOf(s, n * 2);
                            e = java.util.Arrays.copyOf(e, n * 2);
                            fl = java.util.Arrays.copyOf(fl, n * 2);
                            ll = java.util.Arrays.copyOf(ll, n * 2);
                            nf = java.util.Arrays.copyOf(nf, n * 2);
                        }
                        s[n] = recStart;
                        e[n] = pos + i;
                        fl[n] = recLine;
                        ll[n] = line;
                        nf[n] = (int) Math.min(Integer.MAX_VALUE, fieldCount);
                        n++;
                    }
                    state = fieldStart;
                    fieldCount = 1;
                    recStart = pos + i + 1;
                    recLine = line + 1;
                }
                if (b == '\n') {
                    line++;
                }
            }
            pos += len;
        }
        if (fieldCount > maxFields && recStart < to) {
            if (n == s.length) {
                s = java.util.Arrays.copyOf(s, n + 1);
                e = java.util.Arrays.copyOf(e, n + 1);
                fl = java.util.Arrays.copyOf(fl, n + 1);
                ll = java.util.Arrays.copyOf(ll, n + 1);
                nf = java.util.Arrays.copyOf(nf, n + 1);
            }
            s[n] = recStart;
            e[n] = to;
            fl[n] = recLine;
            ll[n] = line;
            nf[n] = (int) Math.min(Integer.MAX_VALUE, fieldCount);
            n++;
        }
        return new OverlongRows(s, e, fl, ll, nf, n);
    }

    /** {@code in} (which starts at byte {@code base}) with every byte of the overlong rows but line feeds removed. */
    InputStream blank(InputStream in, long base) {
        return new InputStream() {
            private long pos = base;
            private int range;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    int n = in.read(b, off, len);
                    if (n <= 0) {
                        return n;
                    }
                    int w = off;
                    for (int i = off; i < off + n; i++, pos++) {
                        while (range < count && pos >= end[range]) {
                            range++;
                        }
                        boolean inside = range < count && pos >= start[range];
                        if (!inside || b[i] == '\n') {
                            b[w++] = b[i];
                        }
                    }
                    if (w > off) {
                        return w - off;
                    }
                }
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }
        };
    }
}
