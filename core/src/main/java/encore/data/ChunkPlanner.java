package encore.data;

import encore.internal.Parallel;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the data part of a CSV file into chunks that each begin at a line start outside quotes, so that every chunk
 * can be parsed on its own; see {@code docs/architecture.md}, section "The parallel CSV reader".
 *
 * <p>The range is first divided into {@code ceil(len / chunkBytes)} equal slices (at most {@link #MAX_SLICES}).
 * <ol>
 *   <li>In parallel, each slice counts its quote characters and its newlines, eight bytes at a time.</li>
 *   <li>Sequentially, for each slice boundary: the parity of all quotes before it says whether it lies inside a quoted
 *       field (an RFC-4180 doubled quote toggles twice, so the parity is exact for well-formed files), and the cut
 *       moves forward to just after the first newline at or after the boundary that lies outside quotes. A cut that
 *       falls inside the previous chunk or at the end of the range is dropped. The prefix sum of the newline counts,
 *       plus the newlines crossed while moving the cut, gives each chunk its first line number.</li>
 * </ol>
 * When the range holds an odd number of quotes (an unterminated quote, or stray quotes inside unquoted fields), the
 * parity cannot be trusted and the whole range is one chunk.
 *
 * <p>The plan depends only on the bytes and {@code chunkBytes}, never on the thread count.
 */
final class ChunkPlanner {
    /** The most slices (and so chunks) a range is divided into. */
    static final int MAX_SLICES = 1 << 16;

    private static final int COUNT_BUFFER = 1 << 18;
    private static final int CUT_BUFFER = 1 << 16;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long QUOTES = ONES * '"';
    private static final long NEWLINES = ONES * '\n';

    /** Positional reads of the bytes being planned. */
    @FunctionalInterface
    interface Source {
        /** Reads exactly {@code len} bytes at {@code pos} into {@code buf[0, len)}, or throws. */
        void readFully(byte[] buf, long pos, int len) throws IOException;
    }

    /** A byte range [start, end) that begins at a line start outside quotes; firstLine is its 1-based line. */
    record Chunk(int index, long start, long end, long firstLine) {}

    private final int chunkBytes;
    private final int threads;

    /** A planner for slices of about {@code chunkBytes} (≥ 1), counted on {@code threads} (≥ 1) threads. */
    ChunkPlanner(int chunkBytes, int threads) {
        if (chunkBytes < 1 || threads < 1) {
            throw new IllegalArgumentException("chunkBytes and threads must be >= 1");
        }
        this.chunkBytes = chunkBytes;
        this.threads = threads;
    }

    /** The bytes of {@code ch}, read with {@link ListeningsReader#readAt}. */
    static Source of(FileChannel ch) {
        return (buf, pos, len) -> ListeningsReader.readAt(ch, buf, pos, len);
    }

    /**
     * The chunks of [{@code dataStart}, {@code size}) of {@code src}, in order and covering the range; empty when the
     * range is. {@code firstDataLine} is the 1-based line number at {@code dataStart}.
     */
    List<Chunk> plan(Source src, long dataStart, long size, long firstDataLine) throws IOException {
        long len = size - dataStart;
        List<Chunk> out = new ArrayList<>();
        if (len <= 0) {
            return out;
        }
        int slices = sliceCount(len, chunkBytes);
        if (slices == 1) {
            out.add(new Chunk(0, dataStart, size, firstDataLine));
            return out;
        }
        long[] sliceStart = new long[slices + 1];
        for (int k = 0; k <= slices; k++) {
            sliceStart[k] = dataStart + len * k / slices;
        }
        long[] quotes = new long[slices];
        long[] newlines = new long[slices];
        Parallel.forEach(threads, slices, k -> {
            long[] counts = countQuotesAndNewlines(src, sliceStart[k], sliceStart[k + 1]);
            quotes[k] = counts[0];
            newlines[k] = counts[1];
        });
        if ((sum(quotes) & 1) != 0) {
            // unbalanced quotes: cut points are unreliable, let one parser see everything
            out.add(new Chunk(0, dataStart, size, firstDataLine));
            return out;
        }
        return cut(src, sliceStart, quotes, newlines, size, firstDataLine);
    }

    /** {@code ceil(len / chunkBytes)} slices, at least 1 and at most {@link #MAX_SLICES}. */
    static int sliceCount(long len, int chunkBytes) {
        return (int) Math.max(1, Math.min(MAX_SLICES, (len + chunkBytes - 1) / chunkBytes));
    }

    /** Moves each inner slice boundary to the next line start outside quotes and makes the chunks between the cuts. */
    private static List<Chunk> cut(
            Source src, long[] sliceStart, long[] quotes, long[] newlines, long size, long firstDataLine)
            throws IOException {
        List<Chunk> out = new ArrayList<>();
        long prevEnd = sliceStart[0];
        long prevLine = firstDataLine;
        long quotesBefore = 0;
        long linesBefore = firstDataLine;
        for (int k = 1; k < quotes.length; k++) {
            quotesBefore += quotes[k - 1];
            linesBefore += newlines[k - 1];
            long from = sliceStart[k];
            if (from < prevEnd) {
                continue;
            }
            long[] cut = findCut(src, from, size, (quotesBefore & 1) != 0);
            long cutPos = cut[0];
            long cutLine = linesBefore + cut[1];
            if (cutPos > prevEnd && cutPos < size) {
                out.add(new Chunk(out.size(), prevEnd, cutPos, prevLine));
                prevEnd = cutPos;
                prevLine = cutLine;
            }
        }
        out.add(new Chunk(out.size(), prevEnd, size, prevLine));
        return out;
    }

    private static long sum(long[] a) {
        long s = 0;
        for (long v : a) {
            s += v;
        }
        return s;
    }

    /**
     * Number of bytes of {@code word} equal to the byte repeated in {@code pattern} (SWAR, no branches). XOR turns the
     * matching bytes into 0; adding 0x7F to the low seven bits of a byte carries into its high bit unless those bits
     * are all 0, so after OR-ing in the byte itself and {@code LOW7}, the high bit is clear exactly in the zero bytes.
     * No carry crosses a byte boundary, so the test is exact for every byte and the bit count is the match count.
     */
    static int countBytes(long word, long pattern) {
        long t = word ^ pattern; // matching bytes become 0
        long z = ~(((t & LOW7) + LOW7) | t | LOW7); // high bit set exactly in the zero bytes
        return Long.bitCount(z);
    }

    /** {quote characters, newlines} in [start, end). */
    static long[] countQuotesAndNewlines(Source src, long start, long end) throws IOException {
        byte[] buf = new byte[(int) Math.min(COUNT_BUFFER, end - start)];
        long q = 0;
        long nl = 0;
        long pos = start;
        while (pos < end) {
            int n = (int) Math.min(buf.length, end - pos);
            src.readFully(buf, pos, n);
            int i = 0;
            for (int last = n - 8; i <= last; i += 8) {
                long w = (long) LONGS.get(buf, i);
                q += countBytes(w, QUOTES);
                nl += countBytes(w, NEWLINES);
            }
            for (; i < n; i++) {
                byte b = buf[i];
                if (b == '"') {
                    q++;
                } else if (b == '\n') {
                    nl++;
                }
            }
            pos += n;
        }
        return new long[] {q, nl};
    }

    /**
     * The position just after the first newline outside quotes at or after {@code from}, and the newlines crossed to
     * get there (that one included); {size, newlines to the end} when there is none. {@code inQuote} is the quote
     * state at {@code from}.
     */
    static long[] findCut(Source src, long from, long size, boolean inQuote) throws IOException {
        byte[] buf = new byte[(int) Math.min(CUT_BUFFER, size - from)];
        long pos = from;
        long nl = 0;
        boolean q = inQuote;
        while (pos < size) {
            int n = (int) Math.min(buf.length, size - pos);
            src.readFully(buf, pos, n);
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (b == '"') {
                    q = !q;
                } else if (b == '\n') {
                    nl++;
                    if (!q) {
                        return new long[] {pos + i + 1, nl};
                    }
                }
            }
            pos += n;
        }
        return new long[] {size, nl};
    }
}
