package encore.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChunkPlanner} on in-memory bytes: hand-checked plans (the positions and line numbers in the comments are
 * worked out by hand from the algorithm in the class javadoc), then plans of random inputs against a naive
 * byte-by-byte scan and against what a chunk must be (a line start outside quotes, with its true line number).
 */
class ChunkPlannerTest {
    // ------------------------------------------------------------------------------------------------ exact cases

    @Test
    void emptyRangeHasNoChunks() throws IOException {
        assertEquals(List.of(), plan("", 0, 1, 4));
        assertEquals(List.of(), plan("h\n", 2, 2, 4));
    }

    @Test
    void rangeSmallerThanOneChunkIsOneChunk() throws IOException {
        assertEquals(List.of(chunk(0, 0, 4, 1)), plan("a\nb\n", 0, 1, 100));
        // exactly one chunk's worth: still one slice
        assertEquals(List.of(chunk(0, 0, 4, 1)), plan("a\nb\n", 0, 1, 4));
        // no final newline, data after a header line
        assertEquals(List.of(chunk(0, 2, 5, 2)), plan("h\nu,1", 2, 2, 1 << 20));
    }

    @Test
    void cutsMoveToTheNewlineAfterEachSliceBoundary() throws IOException {
        // 16 bytes in 4 slices: boundaries 4, 8, 12. A boundary that is itself a line start still moves to the end of
        // its line: 4 -> after the '\n' at 7 = 8; 8 -> 12; 12 -> 16 = the end, so no cut.
        String d = "aaa\nbbb\nccc\nddd\n";
        assertEquals(List.of(chunk(0, 0, 8, 1), chunk(1, 8, 12, 3), chunk(2, 12, 16, 4)), plan(d, 0, 1, 4));
        // the same after a 2-byte header: positions shift by 2, lines by 1
        assertEquals(List.of(chunk(0, 2, 10, 2), chunk(1, 10, 14, 4), chunk(2, 14, 18, 5)), plan("h\n" + d, 2, 2, 4));
    }

    @Test
    void aQuotedFieldSpanningABoundaryIsNotCut() throws IOException {
        // a , " x \n y \n z " \n b \n c \n
        // 0 1 2 3 4  5 6  7 8 9  10 11 12 13
        // 2 slices, boundary 7: one quote before it (odd), so the newlines at 4 and 6 are inside the field; the quote
        // at 8 closes it and the first newline outside quotes is at 9. Newlines before the boundary: 2, so the second
        // chunk starts on line 1 + 2 + 1 = 4.
        String d = "a,\"x\ny\nz\"\nb\nc\n";
        assertEquals(List.of(chunk(0, 0, 10, 1), chunk(1, 10, 14, 4)), plan(d, 0, 1, 7));
    }

    @Test
    void doubledQuotesInsideAQuotedFieldToggleTwice() throws IOException {
        // " x " " y \n z " \n w \n v  \n
        // 0 1 2 3 4 5  6 7 8  9 10 11 12
        // 3 slices, boundaries 4 and 8: three quotes before 4 (the field is open, its "" escaped quote counted
        // twice), so the '\n' at 5 is inside it and the cut is after the '\n' at 8, on line 3; boundary 8 lies in
        // the first chunk
        String d = "\"x\"\"y\nz\"\nw\nv\n";
        assertEquals(List.of(chunk(0, 0, 9, 1), chunk(1, 9, 13, 3)), plan(d, 0, 1, 5));
    }

    @Test
    void crlfLineEndsCutAfterTheLineFeed() throws IOException {
        // a b \r \n c d \r \n e f \r  \n
        // 0 1 2  3  4 5 6  7  8 9 10 11
        // 4 slices, boundaries 3 (on the '\n'), 6 (on the '\r') and 9: cuts at 4, 8 and 12 (the end, dropped)
        String d = "ab\r\ncd\r\nef\r\n";
        assertEquals(List.of(chunk(0, 0, 4, 1), chunk(1, 4, 8, 2), chunk(2, 8, 12, 3)), plan(d, 0, 1, 3));
    }

    @Test
    void aLongLineSwallowsTheBoundariesInsideIt() throws IOException {
        // a 100-byte line then "b\n": 11 slices of 103 bytes, boundaries 9, 18, ..., 93; the first moves to 101 and
        // every later one lies before it
        String d = "x".repeat(100) + "\nb\n";
        assertEquals(List.of(chunk(0, 0, 101, 1), chunk(1, 101, 103, 2)), plan(d, 0, 1, 10));
    }

    @Test
    void aQuoteLeftOpenKeepsTheRangeWhole() throws IOException {
        // an unterminated quote (3 quotes in all) and a stray quote in an unquoted field (1 in all)
        assertEquals(List.of(chunk(0, 0, 13, 1)), plan("a\n\"b\"\n\"c\nd\ne\n", 0, 1, 2));
        assertEquals(List.of(chunk(0, 2, 13, 2)), plan("h\nab\"c\nd\ne\nf\n", 2, 2, 2));
    }

    @Test
    void manyChunks() throws IOException {
        // 1000 lines "x\n", slices of 2 bytes: boundary 2k is a line start and moves to 2k + 2; boundary 2 gives the
        // first cut at 4, then every boundary 2k (k = 2 .. 998) cuts at 2k + 2, and 1998 would cut at the end
        String d = "x\n".repeat(1000);
        List<ChunkPlanner.Chunk> chunks = plan(d, 0, 1, 2);
        assertEquals(999, chunks.size());
        assertEquals(chunk(0, 0, 4, 1), chunks.get(0));
        for (int k = 2; k <= 998; k++) {
            assertEquals(chunk(k - 1, 2L * k, 2L * k + 2, k + 1), chunks.get(k - 1));
        }
        assertEquals(chunk(998, 1998, 2000, 1000), chunks.get(998));
    }

    @Test
    void sliceCountIsTheCeilingCappedAtMaxSlices() {
        assertEquals(1, ChunkPlanner.sliceCount(1, 100));
        assertEquals(1, ChunkPlanner.sliceCount(100, 100));
        assertEquals(2, ChunkPlanner.sliceCount(101, 100));
        assertEquals(4, ChunkPlanner.sliceCount(16, 4));
        assertEquals(5, ChunkPlanner.sliceCount(17, 4));
        assertEquals(ChunkPlanner.MAX_SLICES, ChunkPlanner.sliceCount(ChunkPlanner.MAX_SLICES, 1));
        assertEquals(ChunkPlanner.MAX_SLICES, ChunkPlanner.sliceCount(ChunkPlanner.MAX_SLICES + 1L, 1));
        assertEquals(ChunkPlanner.MAX_SLICES, ChunkPlanner.sliceCount(1L << 50, 64 << 10));
    }

    @Test
    void aSourceThatEndsEarlyIsAnError() {
        byte[] d = bytes("a\nb\nc\nd\n");
        ChunkPlanner.Source shortSource = (buf, pos, len) -> {
            if (pos + len > d.length - 2) {
                throw new IOException("ended early");
            }
            System.arraycopy(d, (int) pos, buf, 0, len);
        };
        assertThrows(IOException.class, () -> new ChunkPlanner(2, 1).plan(shortSource, 0, d.length, 1));
    }

    // ------------------------------------------------------------------------------------------------ properties

    @Test
    void swarByteCountMatchesAByteLoop() {
        Random rnd = new Random(0x5EED);
        byte[] special = {'"', '\n', (byte) 0x22 ^ (byte) 0x80, (byte) 0x0A ^ (byte) 0x80, 0, (byte) 0xFF, 0x7F, 0x01};
        for (int iter = 0; iter < 20_000; iter++) {
            long w = 0;
            for (int b = 0; b < 8; b++) {
                int v = rnd.nextBoolean() ? special[rnd.nextInt(special.length)] : rnd.nextInt(256);
                w |= (v & 0xFFL) << (8 * b);
            }
            for (byte target : new byte[] {'"', '\n'}) {
                int expected = 0;
                for (int b = 0; b < 8; b++) {
                    expected += (byte) (w >>> (8 * b)) == target ? 1 : 0;
                }
                assertEquals(
                        expected,
                        ChunkPlanner.countBytes(w, 0x0101010101010101L * target),
                        Long.toHexString(w) + " / " + target);
            }
        }
    }

    @Test
    void randomInputsPlanLikeANaiveScan() throws IOException {
        Random rnd = new Random(20240611L);
        String[] tokens = {"a", "b", ",", ",", "\"", "\"\"", "\n", "\n", "\r\n", "\r", "é"};
        for (int iter = 0; iter < 4000; iter++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(iter % 10 == 0 ? 2000 : 200);
            for (int i = 0; i < n; i++) {
                sb.append(tokens[rnd.nextInt(tokens.length)]);
            }
            byte[] d = bytes(sb.toString());
            if (rnd.nextInt(4) != 0) {
                d = withEvenQuotes(d); // odd counts all plan as one chunk: keep most inputs interesting
            }
            int dataStart = d.length == 0 ? 0 : rnd.nextInt(Math.min(d.length, 12) + 1);
            long firstLine = 1 + rnd.nextInt(5);
            int chunkBytes = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 64);
            String what = "iteration " + iter + ", dataStart " + dataStart + ", chunkBytes " + chunkBytes;
            List<ChunkPlanner.Chunk> expected = naive(d, dataStart, firstLine, chunkBytes);
            // the plan must not depend on the thread count; a pool per try is slow, so check that on some tries
            for (int threads = 1; threads <= (iter % 8 == 0 ? 3 : 1); threads += 2) {
                List<ChunkPlanner.Chunk> got =
                        new ChunkPlanner(chunkBytes, threads).plan(source(d), dataStart, d.length, firstLine);
                assertEquals(expected, got, what + ", threads " + threads);
            }
            checkChunksAreLineStartsOutsideQuotes(d, dataStart, firstLine, expected, what);
        }
    }

    /** What any plan must be, whatever the cut rule: contiguous chunks from line starts, with true line numbers. */
    private static void checkChunksAreLineStartsOutsideQuotes(
            byte[] d, int dataStart, long firstLine, List<ChunkPlanner.Chunk> chunks, String what) {
        if (d.length == dataStart) {
            assertEquals(0, chunks.size(), what);
            return;
        }
        assertEquals(dataStart, chunks.get(0).start(), what);
        assertEquals(d.length, chunks.get(chunks.size() - 1).end(), what);
        for (int k = 0; k < chunks.size(); k++) {
            ChunkPlanner.Chunk c = chunks.get(k);
            assertEquals(k, c.index(), what);
            assertTrue(c.start() < c.end(), what);
            if (k > 0) {
                assertEquals(chunks.get(k - 1).end(), c.start(), what);
                int s = (int) c.start();
                assertEquals('\n', d[s - 1], what + ": chunk " + k + " starts mid-line");
                assertEquals(0, count(d, dataStart, s, '"') % 2, what + ": chunk " + k + " starts inside quotes");
            }
            assertEquals(firstLine + count(d, dataStart, (int) c.start(), '\n'), c.firstLine(), what);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * The plan, by the rule of the class javadoc, from one sequential byte scan: each boundary of the equal slices
     * moves to just after the first newline at or after it with an even number of quotes before it (counted from
     * {@code dataStart}); cuts inside the previous chunk or at the end are dropped; an odd total keeps the range whole.
     */
    private static List<ChunkPlanner.Chunk> naive(byte[] d, int dataStart, long firstLine, int chunkBytes) {
        int size = d.length;
        long len = size - dataStart;
        List<ChunkPlanner.Chunk> out = new ArrayList<>();
        if (len <= 0) {
            return out;
        }
        int slices = (int) Math.max(1, Math.min(ChunkPlanner.MAX_SLICES, (len + chunkBytes - 1) / chunkBytes));
        int[] quotesBefore = new int[size + 1];
        int[] linesBefore = new int[size + 1];
        for (int i = dataStart; i < size; i++) {
            quotesBefore[i + 1] = quotesBefore[i] + (d[i] == '"' ? 1 : 0);
            linesBefore[i + 1] = linesBefore[i] + (d[i] == '\n' ? 1 : 0);
        }
        int prevEnd = dataStart;
        if (slices > 1 && quotesBefore[size] % 2 == 0) {
            for (int k = 1; k < slices; k++) {
                int boundary = (int) (dataStart + len * k / slices);
                if (boundary < prevEnd) {
                    continue;
                }
                int i = boundary;
                while (i < size && !(d[i] == '\n' && quotesBefore[i] % 2 == 0)) {
                    i++;
                }
                int cut = i + 1;
                if (cut < size) {
                    out.add(chunk(out.size(), prevEnd, cut, firstLine + linesBefore[prevEnd]));
                    prevEnd = cut;
                }
            }
        }
        out.add(chunk(out.size(), prevEnd, size, firstLine + linesBefore[prevEnd]));
        return out;
    }

    private static byte[] withEvenQuotes(byte[] d) {
        if (count(d, 0, d.length, '"') % 2 == 0) {
            return d;
        }
        for (int i = d.length - 1; i >= 0; i--) {
            if (d[i] == '"') {
                d[i] = 'q';
                return d;
            }
        }
        throw new AssertionError("unreachable");
    }

    private static int count(byte[] d, int from, int to, char c) {
        int n = 0;
        for (int i = from; i < to; i++) {
            n += d[i] == c ? 1 : 0;
        }
        return n;
    }

    private static List<ChunkPlanner.Chunk> plan(String data, long dataStart, long firstLine, int chunkBytes)
            throws IOException {
        byte[] d = bytes(data);
        List<ChunkPlanner.Chunk> chunks =
                new ChunkPlanner(chunkBytes, 2).plan(source(d), dataStart, d.length, firstLine);
        assertEquals(naive(d, (int) dataStart, firstLine, chunkBytes), chunks, "naive scan disagrees");
        return chunks;
    }

    private static ChunkPlanner.Source source(byte[] d) {
        return (buf, pos, len) -> System.arraycopy(d, (int) pos, buf, 0, len);
    }

    private static ChunkPlanner.Chunk chunk(int index, long start, long end, long firstLine) {
        return new ChunkPlanner.Chunk(index, start, end, firstLine);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
