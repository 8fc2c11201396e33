package encore.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.util.Arrays;

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
        Builder found = new Builder();
        int state = CsvBytes.FIELD_START;
        long line = 1;
        long recStart = from;
        long recLine = 1;
        long fieldCount = 1;
        byte[] buf = new byte[1 << 16];
        long pos = from;
        while (pos < to) {
            int len = ListeningsReader.readAt(ch, buf, pos, (int) Math.min(buf.length, to - pos));
            for (int i = 0; i < len; i++) {
                byte b = buf[i];
                if (state != CsvBytes.QUOTED) {
                    if (b == ',') {
                        fieldCount++;
                    } else if (b == '\n') {
                        if (fieldCount > maxFields) {
                            found.add(recStart, pos + i, recLine, line, fieldCount);
                        }
                        fieldCount = 1;
                        recStart = pos + i + 1;
                        recLine = line + 1;
                    }
                }
                state = CsvBytes.next(state, b);
                if (b == '\n') {
                    line++;
                }
            }
            pos += len;
        }
        if (fieldCount > maxFields && recStart < to) {
            found.add(recStart, to, recLine, line, fieldCount);
        }
        return new OverlongRows(found.start, found.end, found.firstLine, found.lastLine, found.fields, found.n);
    }

    /** Growable parallel arrays of the rows found. */
    private static final class Builder {
        long[] start = new long[4];
        long[] end = new long[4];
        long[] firstLine = new long[4];
        long[] lastLine = new long[4];
        int[] fields = new int[4];
        int n;

        void add(long s, long e, long first, long last, long count) {
            if (n == start.length) {
                start = Arrays.copyOf(start, n * 2);
                end = Arrays.copyOf(end, n * 2);
                firstLine = Arrays.copyOf(firstLine, n * 2);
                lastLine = Arrays.copyOf(lastLine, n * 2);
                fields = Arrays.copyOf(fields, n * 2);
            }
            start[n] = s;
            end[n] = e;
            firstLine[n] = first;
            lastLine[n] = last;
            fields[n] = (int) Math.min(Integer.MAX_VALUE, count);
            n++;
        }
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
