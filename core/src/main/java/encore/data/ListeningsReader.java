package encore.data;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import encore.internal.Parallel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a listenings CSV ({@code user_id,date,track,artist,album}, columns in any order) into {@link RawPlays}: the
 * seed's "read, drop {@code date}, drop rows with nulls" in one pass, in parallel, with univocity-parsers doing the
 * CSV work.
 *
 * <h2>Semantics (Spark-compatible)</h2>
 * <ul>
 *   <li>RFC-4180 quoting, UTF-8 (a BOM is skipped), LF, CRLF or mixed endings, blank lines skipped.</li>
 *   <li>Values are kept exactly as written, surrounding spaces included. An empty field, quoted or not, is null; a row
 *       with fewer fields than the header has nulls for the missing ones.</li>
 *   <li>Header names are matched case-insensitively after trimming; {@code user_id}, {@code track}, {@code artist}
 *       and {@code album} are required, {@code date} is not read at all, other columns are ignored.</li>
 *   <li>A row is dropped when its user_id, track, artist or album is null (the seed's {@code na.drop()} after
 *       {@code drop("date")}): a bad date alone never drops a row.</li>
 *   <li>Malformed rows (more fields than the header, an invalid UTF-8 sequence anywhere in the row, an unterminated
 *       quote at the end of the file) are counted and, under {@link BadRowPolicy#FAIL}, stop the read with
 *       {@code file:line}.</li>
 * </ul>
 *
 * <h2>Parallelism</h2>
 * The file is cut into chunks of about {@link IngestOptions#chunkBytes()} at line ends that lie outside quotes. A first
 * parallel pass counts quote characters and newlines per slice; the prefix parity of quotes says whether a slice
 * starts inside a quoted field, so each cut is moved to the first newline after it that lies outside quotes, and the
 * prefix newline count gives each chunk its first line number. Parser threads take chunks in order and intern labels
 * into per-thread dictionaries, merged at the end. The ids in {@link RawPlays} therefore depend on scheduling, but
 * nothing derived from them does: {@link LabelIndex} re-assigns ids by (frequency, label), rows stay in file order,
 * and bad-row samples are reported in file order. If the whole file
 * holds an odd number of quote characters (an unterminated quote, or stray quotes inside unquoted fields), the cut
 * points cannot be trusted and the file is parsed as one chunk.
 */
public final class ListeningsReader {
    /** Columns a listenings file must have (in any order); {@code date} is optional and never read. */
    public static final List<String> REQUIRED_COLUMNS = List.of("user_id", "track", "artist", "album");
    /** The longest field accepted, in UTF-16 characters (bounded allocation against hostile input). */
    public static final int MAX_FIELD_CHARS = 16 << 20;
    /** The most fields a row may have before the row is refused outright. */
    public static final int MAX_COLUMNS = 4096;
    /** The most bad rows kept as samples for the report. */
    public static final int BAD_ROW_SAMPLES = 10;
    private static final int HEADER_MAX_BYTES = 1 << 20;
    private static final DropReason[] MISSING = {
        DropReason.MISSING_USER_ID, DropReason.MISSING_TRACK, DropReason.MISSING_ARTIST, DropReason.MISSING_ALBUM};

    private ListeningsReader() {
    }

    /** Reads {@code file} with the given options. */
    public static RawPlays read(Path file, IngestOptions options) throws IOException {
        return read(file, options, IngestProgress.NONE);
    }

    /**
     * Reads {@code file}, reporting the bytes parsed as chunks complete. A gzip-compressed file (recognised by its
     * magic bytes, whatever its name) is first decompressed to a temporary file next to the system's temp directory,
     * parsed like any other, and deleted; messages still name the original file and its (uncompressed) line numbers.
     */
    public static RawPlays read(Path file, IngestOptions options, IngestProgress progress) throws IOException {
        checkReadable(file);
        if (!isGzip(file)) {
            return readPlain(file, file, options, progress);
        }
        Path plain = Files.createTempFile("encore-gunzip-", ".csv");
        try {
            gunzip(file, plain);
            return readPlain(plain, file, options, progress);
        } finally {
            Files.deleteIfExists(plain);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static void gunzip(Path gz, Path out) throws IOException {
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz), 1 << 16);
             java.io.OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            in.transferTo(os);
        } catch (java.io.EOFException e) {
            throw new InputFormatException(gz, 0, null, "truncated gzip stream (the file ends early)");
        } catch (java.util.zip.ZipException e) {
            throw new InputFormatException(gz, 0, null, "corrupt gzip stream: " + e.getMessage());
        }
    }

    /** Parses {@code actual}; errors name {@code shown}. */
    private static RawPlays readPlain(Path actual, Path shown, IngestOptions options, IngestProgress progress)
        throws IOException {
        try (FileChannel ch = FileChannel.open(actual, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new InputFormatException(shown, 0, null,
                    "empty file: expected a header line such as user_id,date,track,artist,album");
            }
            Header header = readHeader(shown, ch, size);
            RawPlays plays;
            try {
                List<Chunk> chunks = plan(ch, header.dataStart, size, header.lines + 1, options);
                plays = parseAll(shown, ch, size, header, chunks, options, progress);
            } catch (InputFormatException e) {
                throw e;
            } catch (IOException e) {
                if (ch.size() != size) {
                    throw changedWhileRead(shown, size, ch.size());
                }
                throw e;
            }
            long now = ch.size();
            if (now != size) {
                throw changedWhileRead(shown, size, now);
            }
            return plays;
        }
    }

    private static InputFormatException changedWhileRead(Path file, long before, long after) {
        return new InputFormatException(file, 0, null, "the file " + (after > before ? "grew" : "shrank")
            + " while it was being read (" + before + " bytes at the start, " + after + " at the end); "
            + "read a finished copy of it");
    }

    static void checkReadable(Path file) {
        if (!Files.exists(file)) {
            throw new InputFormatException(file, 0, null, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new InputFormatException(file, 0, null, "is a directory, expected a CSV file");
        }
        if (!Files.isReadable(file)) {
            throw new InputFormatException(file, 0, null, "not readable (permission denied)");
        }
    }

    // ------------------------------------------------------------------------------------------------ header

    /** Column positions of the required fields, in {@link #REQUIRED_COLUMNS} order. */
    private record Header(int[] required, int fieldCount, long dataStart, long lines) {
    }

    private static Header readHeader(Path file, FileChannel ch, long size) throws IOException {
        int probe = (int) Math.min(size, HEADER_MAX_BYTES);
        byte[] buf = new byte[probe];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        while (bb.hasRemaining()) {
            if (ch.read(bb, bb.position()) < 0) {
                break;
            }
        }
        int start = 0;
        if (probe >= 3 && (buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        boolean inQuote = false;
        int lines = 0;
        int end = -1;
        for (int i = start; i < probe; i++) {
            byte b = buf[i];
            if (b == '"') {
                inQuote = !inQuote;
            } else if (b == '\n') {
                lines++;
                if (!inQuote) {
                    end = i;
                    break;
                }
            }
        }
        long dataStart;
        int textEnd;
        if (end < 0 && !inQuote) {
            for (int i = start; i < probe - 1; i++) {
                if (buf[i] == '\r' && buf[i + 1] != '\n') {
                    throw new InputFormatException(file, 1, null, "lines end with a bare CR (classic Mac line ends); "
                        + "Encore reads LF or CRLF line ends: convert the file first");
                }
            }
        }
        if (end < 0) {
            if (size > probe) {
                throw new InputFormatException(file, 1, null, "header line longer than " + HEADER_MAX_BYTES + " bytes");
            }
            textEnd = probe;
            dataStart = size;
            lines = 1;
        } else {
            textEnd = end;
            dataStart = end + 1L;
        }
        if (textEnd > start && buf[textEnd - 1] == '\r') {
            textEnd--;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(buf, start, textEnd - start)).toString();
        } catch (CharacterCodingException e) {
            boolean utf16 = probe >= 2 && ((buf[0] & 0xFF) == 0xFF && (buf[1] & 0xFF) == 0xFE
                || (buf[0] & 0xFF) == 0xFE && (buf[1] & 0xFF) == 0xFF);
            throw new InputFormatException(file, 1, null, "header is not valid UTF-8"
                + (utf16 ? " (the file starts with a UTF-16 byte-order mark: save it as UTF-8)" : ""));
        }
        if (text.indexOf('\0') >= 0) {
            throw new InputFormatException(file, 1, null, "the header holds NUL bytes: not a UTF-8 text file "
                + "(UTF-16? binary?)");
        }
        if (text.isBlank()) {
            throw new InputFormatException(file, 1, null,
                "empty header line: expected column names such as user_id,date,track,artist,album");
        }
        CsvParser parser = new CsvParser(settings(null));
        String[] names;
        try {
            names = parser.parseLine(text);
        } catch (TextParsingException e) {
            throw new InputFormatException(file, 1, null, "cannot read the header line: " + describe(e));
        }
        if (names == null) {
            throw new InputFormatException(file, 1, null, "cannot read the header line");
        }
        int[] required = new int[REQUIRED_COLUMNS.size()];
        Arrays.fill(required, -1);
        for (int c = 0; c < names.length; c++) {
            String n = names[c] == null ? "" : names[c].strip().toLowerCase(Locale.ROOT);
            int r = REQUIRED_COLUMNS.indexOf(n);
            if (r >= 0) {
                if (required[r] >= 0) {
                    throw new InputFormatException(file, 1, REQUIRED_COLUMNS.get(r),
                        "column appears twice in the header (columns " + (required[r] + 1) + " and " + (c + 1) + ")");
                }
                required[r] = c;
            }
        }
        List<String> missing = new ArrayList<>();
        for (int r = 0; r < required.length; r++) {
            if (required[r] < 0) {
                missing.add(REQUIRED_COLUMNS.get(r));
            }
        }
        if (!missing.isEmpty()) {
            List<String> found = new ArrayList<>();
            for (String n : names) {
                if (found.size() == 12) {
                    found.add("… (" + (names.length - 12) + " more)");
                    break;
                }
                found.add(shown(n == null ? "" : n));
            }
            String hint = "";
            if (found.size() == 1) {
                String only = found.get(0);
                hint = only.indexOf(';') >= 0 ? "; the file looks separated by ';' — Encore reads comma-separated files"
                    : only.indexOf('\t') >= 0 ? "; the file looks tab-separated — Encore reads comma-separated files"
                    : only.indexOf('|') >= 0 ? "; the file looks separated by '|' — Encore reads comma-separated files"
                    : "";
            }
            throw new InputFormatException(file, 1, null, "missing required column" + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing) + "; the header has " + names.length + " column"
                + (names.length == 1 ? "" : "s") + ": " + String.join(", ", found)
                + " (expected user_id, track, artist, album; date is optional)" + hint);
        }
        return new Header(required, names.length, dataStart, Math.max(1, lines));
    }

    /** A header name for a message: control characters escaped, at most 60 characters. */
    private static String shown(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < 60; i++) {
            char c = name.charAt(i);
            if (c == '\t') {
                sb.append(c); // kept: the tab-separated hint shows it
            } else if (c < 0x20 || c == 0x7F) {
                sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() < 60 || name.length() <= 60 ? sb.toString() : sb + "…";
    }

    /** univocity settings that keep values exactly as written; {@code select} picks the materialized columns. */
    static CsvParserSettings settings(int[] select) {
        CsvParserSettings s = new CsvParserSettings();
        s.getFormat().setDelimiter(',');
        s.getFormat().setQuote('"');
        s.getFormat().setQuoteEscape('"');
        s.getFormat().setLineSeparator("\n");
        s.getFormat().setNormalizedNewline('\n');
        s.getFormat().setComment('\0');
        // a row starting with NUL is data, not a comment (univocity would drop it silently)
        s.setCommentProcessingEnabled(false);
        // NUL must not act as the quote-escape escape: a NUL right after an escaped quote would cut the value
        s.getFormat().setCharToEscapeQuoteEscaping('"');
        s.setIgnoreLeadingWhitespaces(false);
        s.setIgnoreTrailingWhitespaces(false);
        s.setIgnoreLeadingWhitespacesInQuotes(false);
        s.setIgnoreTrailingWhitespacesInQuotes(false);
        s.setHeaderExtractionEnabled(false);
        s.setNullValue(null);
        s.setEmptyValue(null);
        s.setSkipEmptyLines(true);
        s.setMaxCharsPerColumn(MAX_FIELD_CHARS);
        s.setMaxColumns(MAX_COLUMNS);
        s.setReadInputOnSeparateThread(false);
        s.setInputBufferSize(1 << 16);
        s.setErrorContentLength(64);
        if (select != null) {
            s.setColumnReorderingEnabled(false);
            Integer[] boxed = new Integer[select.length];
            for (int i = 0; i < select.length; i++) {
                boxed[i] = select[i];
            }
            s.selectIndexes(boxed);
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------------ planning

    /** A byte range [start, end) that begins at a line start outside quotes; firstLine is its 1-based line. */
    private record Chunk(int index, long start, long end, long firstLine) {
    }

    private static List<Chunk> plan(FileChannel ch, long dataStart, long size, long firstDataLine, IngestOptions opt)
        throws IOException {
        long len = size - dataStart;
        List<Chunk> out = new ArrayList<>();
        if (len <= 0) {
            return out;
        }
        int slices = (int) Math.max(1, Math.min(1 << 16, (len + opt.chunkBytes() - 1) / opt.chunkBytes()));
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
        Parallel.forEach(opt.threads(), slices, k -> {
            long[] counts = countQuotesAndNewlines(ch, sliceStart[k], sliceStart[k + 1]);
            quotes[k] = counts[0];
            newlines[k] = counts[1];
        });
        long totalQuotes = 0;
        for (long q : quotes) {
            totalQuotes += q;
        }
        if ((totalQuotes & 1) != 0) {
            // unbalanced quotes: cut points are unreliable, let one parser see everything
            out.add(new Chunk(0, dataStart, size, firstDataLine));
            return out;
        }
        long prevEnd = dataStart;
        long prevLine = firstDataLine;
        long quotesBefore = 0;
        long linesBefore = firstDataLine;
        for (int k = 1; k < slices; k++) {
            quotesBefore += quotes[k - 1];
            linesBefore += newlines[k - 1];
            long from = sliceStart[k];
            if (from < prevEnd) {
                continue;
            }
            long[] cut = findCut(ch, from, size, (quotesBefore & 1) != 0);
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;
    private static final long QUOTES = ONES * '"';
    private static final long NEWLINES = ONES * '\n';

    /** Number of bytes of {@code word} equal to the byte repeated in {@code pattern} (SWAR, no branches). */
    private static int countBytes(long word, long pattern) {
        long t = word ^ pattern;                       // matching bytes become 0
        long z = ~(((t & LOW7) + LOW7) | t | LOW7);    // high bit set exactly in the zero bytes
        return Long.bitCount(z);
    }

    private static long[] countQuotesAndNewlines(FileChannel ch, long start, long end) throws IOException {
        byte[] buf = new byte[1 << 18];
        long q = 0;
        long nl = 0;
        long pos = start;
        while (pos < end) {
            int n = readAt(ch, buf, pos, (int) Math.min(buf.length, end - pos));
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

    /** The first position after a newline outside quotes at or after {@code from}, and the newlines crossed. */
    private static long[] findCut(FileChannel ch, long from, long size, boolean inQuote) throws IOException {
        byte[] buf = new byte[1 << 16];
        long pos = from;
        long nl = 0;
        boolean q = inQuote;
        while (pos < size) {
            int n = readAt(ch, buf, pos, (int) Math.min(buf.length, size - pos));
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

    static int readAt(FileChannel ch, byte[] buf, long pos, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, len);
        while (bb.hasRemaining()) {
            int n = ch.read(bb, pos + bb.position());
            if (n < 0) {
                throw new IOException("file ended early at byte " + (pos + bb.position())
                    + "; was it truncated while being read?");
            }
        }
        return len;
    }

    // ------------------------------------------------------------------------------------------------ parsing

    /**
     * Label dictionaries owned by one parser thread and shared by every chunk it parses, so each distinct label is
     * held once per thread (not once per chunk) and the merge interns few labels.
     */
    private static final class WorkerDictionaries {
        final LabelDictionary users = new LabelDictionary(1 << 12);
        final LabelDictionary items = new LabelDictionary(1 << 16);
    }

    /** What one chunk produced; ids are those of the dictionaries of the thread that parsed it. */
    private static final class ChunkResult {
        final WorkerDictionaries dicts;
        final IntList rowUser;
        final IntList rowItem;
        final long[] dropped = new long[DropReason.values().length];
        final List<BadRow> badRows = new ArrayList<>();
        long rowsRead;

        ChunkResult(WorkerDictionaries dicts, long bytes) {
            this.dicts = dicts;
            int guess = (int) Math.min(Integer.MAX_VALUE - 16, Math.max(1024, bytes / 60));
            rowUser = new IntList(guess);
            rowItem = new IntList(guess);
        }

        void bad(BadRow row) {
            dropped[row.reason().ordinal()]++;
            if (badRows.size() < BAD_ROW_SAMPLES) {
                badRows.add(row);
            }
        }
    }

    private static RawPlays parseAll(Path file, FileChannel ch, long size, Header header, List<Chunk> chunks,
                                     IngestOptions opt, IngestProgress progress) throws IOException {
        AtomicLong done = new AtomicLong(header.dataStart());
        ChunkResult[] results = new ChunkResult[chunks.size()];
        // under FAIL, the line of the first malformed row seen anywhere; chunks after it stop early
        AtomicLong firstFailLine = new AtomicLong(Long.MAX_VALUE);
        boolean single = chunks.size() == 1;
        int workers = Math.max(1, Math.min(opt.threads(), chunks.size()));
        WorkerDictionaries[] dicts = new WorkerDictionaries[workers];
        AtomicInteger next = new AtomicInteger();
        Parallel.forEach(workers, workers, w -> {
            WorkerDictionaries d = new WorkerDictionaries();
            dicts[w] = d;
            for (int k = next.getAndIncrement(); k < chunks.size(); k = next.getAndIncrement()) {
                Chunk c = chunks.get(k);
                long openQuoteLine = single ? unterminatedQuoteLine(ch, c) : -1;
                try {
                    results[k] = parseChunk(file, ch, c, header, opt, d, firstFailLine, openQuoteLine, null);
                } catch (OverlongRowFound e) {
                    // rare: a row the parser cannot hold; parse the chunk again without such rows (counted as bad)
                    OverlongRows overlong = OverlongRows.scan(ch, c.start(), c.end(), MAX_COLUMNS);
                    results[k] = parseChunk(file, ch, c, header, opt, d, firstFailLine, openQuoteLine, overlong);
                }
                progress.bytesRead(done.addAndGet(c.end() - c.start()), size);
            }
        });
        if (opt.badRows() == BadRowPolicy.FAIL) {
            for (ChunkResult r : results) {
                if (!r.badRows.isEmpty()) {
                    BadRow b = r.badRows.get(0);
                    throw new InputFormatException(file, b.line(), null, "malformed row (" + b.reason().key()
                        + (b.detail() == null ? "" : ": " + b.detail()) + "); use --bad-rows skip to count and skip such rows");
                }
            }
        }
        return merge(size, chunks.size(), results, dicts);
    }

    /**
     * For the single-chunk path: the 1-based line where a quoted field opens that never closes before end of file,
     * or -1. Follows RFC-4180 the way univocity reads it: a quote opens a quoted field only at the start of a field.
     */
    private static long unterminatedQuoteLine(FileChannel ch, Chunk c) throws IOException {
        int state = CsvBytes.FIELD_START;
        long line = c.firstLine();
        long openLine = -1;
        byte[] buf = new byte[1 << 16];
        long pos = c.start();
        while (pos < c.end()) {
            int n = readAt(ch, buf, pos, (int) Math.min(buf.length, c.end() - pos));
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                int next = CsvBytes.next(state, b);
                if (next == CsvBytes.QUOTED && state == CsvBytes.FIELD_START) {
                    openLine = line;
                }
                state = next;
                if (b == '\n') {
                    line++;
                }
            }
            pos += n;
        }
        return state == CsvBytes.QUOTED ? openLine : -1;
    }

    /** Thrown by the first parse of a chunk that holds a row with more than {@link #MAX_COLUMNS} fields. */
    private static final class OverlongRowFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OverlongRowFound() {
            super(null, null, false, false);
        }
    }

    private static ChunkResult parseChunk(Path file, FileChannel ch, Chunk c, Header h, IngestOptions opt,
                                          WorkerDictionaries dicts, AtomicLong firstFailLine, long openQuoteLine,
                                          OverlongRows overlong) {
        ChunkResult res = new ChunkResult(dicts, c.end() - c.start());
        InputStream in = new FileRangeInputStream(ch, c.start(), c.end());
        if (overlong != null) {
            in = overlong.blank(in, c.start());
        }
        int ov = 0;
        Utf8ChunkReader reader = new Utf8ChunkReader(in);
        CsvParser parser = new CsvParser(settings(h.required()));
        int[] col = h.required();
        int uCol = col[0];
        int tCol = col[1];
        int aCol = col[2];
        int alCol = col[3];
        int maxFields = h.fieldCount();
        ItemKey key = opt.itemKey();
        boolean fail = opt.badRows() == BadRowPolicy.FAIL;
        IntList invalid = reader.invalidLines();
        int invalidCursor = 0;
        long lineBase = c.firstLine() - 1;
        long prevEnd = 0;
        String lastUser = null;
        int lastUserId = -1;
        LabelDictionary users = dicts.users;
        LabelDictionary items = dicts.items;
        IntList rowUser = res.rowUser;
        IntList rowItem = res.rowItem;
        parser.beginParsing(reader);
        try {
            String[] r;
            while (true) {
                try {
                    r = parser.parseNext();
                } catch (TextParsingException e) {
                    if (overlong == null && tooManyFields(e)) {
                        throw new OverlongRowFound();
                    }
                    long line = lineBase + Math.max(prevEnd + 1, e.getLineIndex() + 1);
                    if (openQuoteLine > 0) {
                        res.rowsRead++;
                        res.bad(new BadRow(openQuoteLine, DropReason.UNTERMINATED_QUOTE, "quote opened here never closes"));
                        break;
                    }
                    throw new InputFormatException(file, line, null, describe(e));
                }
                if (r == null) {
                    if (overlong != null) {
                        flushOverlong(res, overlong, ov, Long.MAX_VALUE, lineBase, fail, firstFailLine);
                    }
                    break;
                }
                long end = parser.getContext().currentLine();
                if (overlong != null) {
                    ov = flushOverlong(res, overlong, ov, end, lineBase, fail, firstFailLine);
                    if (ov < 0) {
                        break;
                    }
                }
                res.rowsRead++;
                long start = prevEnd + 1;
                prevEnd = end;
                if (fail && lineBase + end > firstFailLine.get()) {
                    break; // an earlier chunk already failed; nothing after it matters
                }
                BadRow bad = null;
                if (openQuoteLine > 0 && lineBase + end >= openQuoteLine && lineBase + start <= openQuoteLine) {
                    bad = new BadRow(openQuoteLine, DropReason.UNTERMINATED_QUOTE, "quote opened here never closes");
                } else if (r.length > maxFields) {
                    bad = new BadRow(lineBase + end, DropReason.TOO_MANY_FIELDS,
                        r.length + " fields, the header has " + maxFields);
                } else {
                    while (invalidCursor < invalid.size() && invalid.get(invalidCursor) < start) {
                        invalidCursor++;
                    }
                    if (invalidCursor < invalid.size() && invalid.get(invalidCursor) <= end) {
                        bad = new BadRow(lineBase + invalid.get(invalidCursor), DropReason.INVALID_UTF8,
                            fieldWithReplacement(r, col));
                    }
                }
                if (bad != null) {
                    res.bad(bad);
                    if (fail) {
                        firstFailLine.accumulateAndGet(bad.line(), Math::min);
                        break;
                    }
                    continue;
                }
                String user = get(r, uCol);
                String track = get(r, tCol);
                String artist = get(r, aCol);
                String album = get(r, alCol);
                DropReason missing = user == null ? MISSING[0] : track == null ? MISSING[1]
                    : artist == null ? MISSING[2] : album == null ? MISSING[3] : null;
                if (missing != null) {
                    res.dropped[missing.ordinal()]++;
                    continue;
                }
                int uid;
                if (user.equals(lastUser)) {
                    uid = lastUserId;
                } else {
                    uid = users.intern(user);
                    lastUser = user;
                    lastUserId = uid;
                }
                rowUser.add(uid);
                rowItem.add(items.intern(key.label(track, artist, album)));
            }
        } finally {
            parser.stopParsing();
        }
        return res;
    }

    /**
     * Counts the overlong rows that end before chunk line {@code before} as malformed, from {@code from} on; returns
     * the next one's position, or -1 when the policy is FAIL and one was found (the chunk stops there).
     */
    private static int flushOverlong(ChunkResult res, OverlongRows o, int from, long before, long lineBase,
                                     boolean fail, AtomicLong firstFailLine) {
        int j = from;
        while (j < o.count && o.lastLine[j] < before) {
            res.rowsRead++;
            BadRow bad = new BadRow(lineBase + o.lastLine[j], DropReason.TOO_MANY_FIELDS,
                o.fields[j] + " fields, more than the " + MAX_COLUMNS + " a row may have");
            res.bad(bad);
            j++;
            if (fail) {
                firstFailLine.accumulateAndGet(bad.line(), Math::min);
                return -1;
            }
        }
        return j;
    }

    private static boolean tooManyFields(TextParsingException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("maxColumns") || e.getCause() instanceof ArrayIndexOutOfBoundsException;
    }

    private static String get(String[] r, int c) {
        if (c >= r.length) {
            return null;
        }
        String v = r[c];
        return v == null || v.isEmpty() ? null : v;
    }

    private static String fieldWithReplacement(String[] r, int[] cols) {
        for (int i = 0; i < cols.length; i++) {
            String v = cols[i] < r.length ? r[cols[i]] : null;
            if (v != null && v.indexOf('\uFFFD') >= 0) {
                return "in field '" + REQUIRED_COLUMNS.get(i) + "'";
            }
        }
        return "in an unread field";
    }

    private static String describe(TextParsingException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("maxCharsPerColumn") || m.contains("exceeds the maximum")) {
            return "a field is longer than " + MAX_FIELD_CHARS + " characters (a quote that never closes?)";
        }
        if (tooManyFields(e)) {
            return "a row has more than " + MAX_COLUMNS + " fields";
        }
        int nl = m.indexOf('\n');
        return "cannot parse row: " + (nl > 0 ? m.substring(0, nl) : m);
    }

    // ------------------------------------------------------------------------------------------------ merge

    /**
     * Concatenates the chunks' rows in file order with ids of one dictionary: the first thread's dictionaries become
     * the global ones and the other threads' labels are interned into them.
     */
    private static RawPlays merge(long size, int chunkCount, ChunkResult[] results, WorkerDictionaries[] dicts) {
        long rowsRead = 0;
        long kept = 0;
        long[] dropped = new long[DropReason.values().length];
        List<BadRow> bad = new ArrayList<>();
        for (ChunkResult r : results) {
            rowsRead += r.rowsRead;
            kept += r.rowUser.size();
            for (int i = 0; i < dropped.length; i++) {
                dropped[i] += r.dropped[i];
            }
            for (BadRow b : r.badRows) {
                if (bad.size() < BAD_ROW_SAMPLES) {
                    bad.add(b);
                }
            }
        }
        if (kept > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(kept + " rows kept: more than one Java array holds; split the file");
        }
        LabelDictionary users = dicts[0].users;
        LabelDictionary items = dicts[0].items;
        IdentityHashMap<WorkerDictionaries, int[][]> maps = new IdentityHashMap<>();
        maps.put(dicts[0], null);
        for (int w = 1; w < dicts.length; w++) {
            maps.put(dicts[w], new int[][] {users.internAll(dicts[w].users), items.internAll(dicts[w].items)});
        }
        int[] rowUser = new int[(int) kept];
        int[] rowItem = new int[(int) kept];
        int at = 0;
        for (int k = 0; k < results.length; k++) {
            ChunkResult r = results[k];
            int n = r.rowUser.size();
            int[][] m = maps.get(r.dicts);
            if (m == null) {
                System.arraycopy(r.rowUser.raw(), 0, rowUser, at, n);
                System.arraycopy(r.rowItem.raw(), 0, rowItem, at, n);
            } else {
                int[] uMap = m[0];
                int[] iMap = m[1];
                int[] ru = r.rowUser.raw();
                int[] ri = r.rowItem.raw();
                for (int i = 0; i < n; i++) {
                    rowUser[at + i] = uMap[ru[i]];
                    rowItem[at + i] = iMap[ri[i]];
                }
            }
            at += n;
            results[k] = null; // let the chunk's arrays go
        }
        IngestStats stats = new IngestStats(size, rowsRead, dropped, bad, chunkCount);
        return new RawPlays(users.labels(), items.labels(), rowUser, rowItem, stats);
    }
}
