package encore.data;

import encore.internal.Parallel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a listenings CSV ({@code user_id,date,track,artist,album}, columns in any order) into {@link RawPlays}: the
 * recipe's "read, drop {@code date}, drop rows with nulls" in one pass, in parallel, with univocity-parsers doing the
 * CSV work.
 *
 * <h2>Semantics (Spark-compatible)</h2>
 * <ul>
 *   <li>RFC-4180 quoting, UTF-8 (a BOM is skipped), LF, CRLF or mixed endings, blank lines skipped.</li>
 *   <li>Values are kept exactly as written, surrounding spaces included. An empty field, quoted or not, is null; a row
 *       with fewer fields than the header has nulls for the missing ones.</li>
 *   <li>Header names are matched case-insensitively after trimming; {@code user_id}, {@code track}, {@code artist}
 *       and {@code album} are required, {@code date} is not read at all, other columns are ignored.</li>
 *   <li>A row is dropped when its user_id, track, artist or album is null (the recipe's {@code na.drop()} after
 *       {@code drop("date")}): a bad date alone never drops a row.</li>
 *   <li>Malformed rows (more fields than the header, an invalid UTF-8 sequence anywhere in the row, an unterminated
 *       quote at the end of the file) are counted and, under {@link BadRowPolicy#FAIL}, stop the read with
 *       {@code file:line}.</li>
 * </ul>
 *
 * <h2>Parallelism</h2>
 * {@link CsvHeader} reads the header; {@link ChunkPlanner} cuts the rest into chunks at line ends outside quotes;
 * parser threads take the chunks in order ({@link ChunkParser}) and {@link #merge} concatenates their rows in file
 * order under one pair of dictionaries. The ids in {@link RawPlays} depend on scheduling, nothing derived from them
 * does. The design is described in {@code docs/architecture.md}, section "The parallel CSV reader".
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
    /** The path that stands for standard input, as on most command lines: {@code -}. */
    public static final Path STANDARD_INPUT = Path.of("-");
    /** What messages call standard input. */
    public static final String STANDARD_INPUT_NAME = "standard input";

    private ListeningsReader() {}

    /** Reads {@code file} with the given options. */
    public static RawPlays read(Path file, IngestOptions options) throws IOException {
        return read(file, options, IngestProgress.NONE);
    }

    /**
     * Reads {@code file}, reporting the bytes parsed as chunks complete.
     * <ul>
     *   <li>{@link #STANDARD_INPUT} ({@code -}) reads standard input, and anything that is not a regular file (a
     *       pipe, a FIFO, {@code /dev/stdin}, a process substitution) is read the same way: the bytes are first
     *       copied ("spooled") to a temporary file in the system's temp directory, since the parallel reader needs a
     *       file it can read at any offset, then parsed like any other file; messages call standard input
     *       {@value #STANDARD_INPUT_NAME} and a pipe by its own name.</li>
     *   <li>A gzip-compressed file (recognised by its magic bytes, whatever its name) is first decompressed to a
     *       temporary file in the system's temp directory, parsed like any other; messages still name the original
     *       file and its (uncompressed) line numbers.</li>
     * </ul>
     * Temporary files are deleted when the read ends, whether it succeeds or fails (and at JVM exit, should it be
     * interrupted).
     */
    public static RawPlays read(Path file, IngestOptions options, IngestProgress progress) throws IOException {
        return read(file, options, progress, FastPath.byDefault());
    }

    /**
     * As {@link #read(Path, IngestOptions, IngestProgress)}, with the byte-level fast path as {@code fastPath} says
     * (off: every row goes to the reference parser); the result is the same either way.
     */
    static RawPlays read(Path file, IngestOptions options, IngestProgress progress, FastPath fastPath)
            throws IOException {
        Request r = new Request(options, progress, fastPath);
        if (isStandardInput(file)) {
            return readSpooled(System.in, shownName(file), r);
        }
        checkOpenable(file);
        if (!Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                return readSpooled(in, file, r);
            }
        }
        return readFile(file, file, r);
    }

    /** How a read goes: its options, where progress goes, and whether the fast path is on. */
    private record Request(IngestOptions options, IngestProgress progress, FastPath fastPath) {}

    /** True when {@code file} is {@code -}, which stands for standard input. */
    public static boolean isStandardInput(Path file) {
        return file != null && file.equals(STANDARD_INPUT);
    }

    /** What messages and reports call {@code file}: {@value #STANDARD_INPUT_NAME} for {@code -}, else the path. */
    public static Path shownName(Path file) {
        return isStandardInput(file) ? Path.of(STANDARD_INPUT_NAME) : file;
    }

    /** Copies {@code in} to a temporary file, reads that, and deletes it; messages name {@code shown}. */
    private static RawPlays readSpooled(InputStream in, Path shown, Request r) throws IOException {
        Path spool = tempFile("encore-spool-");
        try {
            spool(in, spool, shown);
            return readFile(spool, shown, r);
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    private static void spool(InputStream in, Path to, Path shown) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (java.io.OutputStream out = Files.newOutputStream(to)) {
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw new IOException(shown + ": cannot read (" + e.getMessage() + ")", e);
                }
                if (n < 0) {
                    return;
                }
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    throw new IOException(
                            shown + ": cannot copy it to a temporary file in " + to.getParent() + " (" + e.getMessage()
                                    + "); point java.io.tmpdir to a directory with more room",
                            e);
                }
            }
        }
    }

    /** A new temporary file in the system's temp directory, also deleted at JVM exit if the caller cannot. */
    private static Path tempFile(String prefix) throws IOException {
        Path p = Files.createTempFile(prefix, ".csv");
        p.toFile().deleteOnExit();
        return p;
    }

    /** Reads the regular file {@code actual}, decompressing it first when it is gzip; errors name {@code shown}. */
    private static RawPlays readFile(Path actual, Path shown, Request r) throws IOException {
        if (!isGzip(actual)) {
            return readPlain(actual, shown, r);
        }
        Path plain = tempFile("encore-gunzip-");
        try {
            gunzip(actual, shown, plain);
            return readPlain(plain, shown, r);
        } finally {
            Files.deleteIfExists(plain);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static void gunzip(Path gz, Path shown, Path out) throws IOException {
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz), 1 << 16);
                java.io.OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            in.transferTo(os);
        } catch (java.io.EOFException e) {
            throw new InputFormatException(shown, 0, null, "truncated gzip stream (the file ends early)");
        } catch (java.util.zip.ZipException e) {
            throw new InputFormatException(shown, 0, null, "corrupt gzip stream: " + e.getMessage());
        }
    }

    /** Parses {@code actual}; errors name {@code shown}. */
    private static RawPlays readPlain(Path actual, Path shown, Request r) throws IOException {
        IngestOptions options = r.options();
        try (FileChannel ch = FileChannel.open(actual, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new InputFormatException(
                        shown,
                        0,
                        null,
                        (actual.equals(shown) ? "empty file" : "no data (0 bytes)")
                                + ": expected a header line such as user_id,date,track,artist,album");
            }
            CsvHeader header = CsvHeader.read(shown, ch, size);
            RawPlays plays;
            try {
                List<ChunkPlanner.Chunk> chunks = new ChunkPlanner(options.chunkBytes(), options.threads())
                        .plan(ChunkPlanner.of(ch), header.dataStart(), size, header.lines() + 1);
                plays = parseAll(shown, ch, size, header, chunks, r);
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
        return new InputFormatException(
                file,
                0,
                null,
                "the file " + (after > before ? "grew" : "shrank")
                        + " while it was being read (" + before + " bytes at the start, " + after + " at the end); "
                        + "read a finished copy of it");
    }

    /** Parallel tasks to make {@code n} label strings in: one per 16 Ki labels, at least 1, at most 16. */
    private static int labelTasks(int n) {
        return Math.max(1, Math.min(16, n >> 14));
    }

    /** The start of part {@code part} of {@code n} things cut into {@code parts} parts. */
    private static int share(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    /** Refuses a missing, unreadable or non-regular file (for readers that cannot spool, like the triples reader). */
    static void checkReadable(Path file) {
        checkOpenable(file);
        if (!Files.isRegularFile(file)) { // a pipe would block the open, a device has no size to plan chunks by
            throw new InputFormatException(
                    file, 0, null, "is not a regular file (a pipe, device or socket): save the data to a file first");
        }
    }

    /** Refuses a missing or unreadable file and a directory. */
    private static void checkOpenable(Path file) {
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

    // ------------------------------------------------------------------------------------------------ parsing

    /** Parses the chunks on up to {@code opt.threads()} threads, one {@link ChunkWorker} per thread, then merges. */
    private static RawPlays parseAll(
            Path file, FileChannel ch, long size, CsvHeader header, List<ChunkPlanner.Chunk> chunks, Request r)
            throws IOException {
        IngestOptions opt = r.options();
        IngestProgress progress = r.progress();
        AtomicLong done = new AtomicLong(header.dataStart());
        ChunkResult[] results = new ChunkResult[chunks.size()];
        ChunkParser parser = new ChunkParser(file, ch, header, opt, chunks.size() == 1, r.fastPath());
        int workers = Math.max(1, Math.min(opt.threads(), chunks.size()));
        ChunkWorker[] workerOf = new ChunkWorker[workers];
        AtomicInteger next = new AtomicInteger();
        Parallel.forEach(workers, workers, w -> {
            ChunkWorker d = new ChunkWorker(header.required());
            workerOf[w] = d;
            for (int k = next.getAndIncrement(); k < chunks.size(); k = next.getAndIncrement()) {
                ChunkPlanner.Chunk c = chunks.get(k);
                results[k] = parser.parse(c, d);
                progress.bytesRead(done.addAndGet(c.end() - c.start()), size);
            }
        });
        if (opt.badRows() == BadRowPolicy.FAIL) {
            failOnFirstBadRow(file, results);
        }
        return merge(size, chunks.size(), results, workerOf, workers);
    }

    /** Under FAIL: the error for the first malformed row in file order, if any chunk saw one. */
    private static void failOnFirstBadRow(Path file, ChunkResult[] results) {
        for (ChunkResult r : results) {
            if (!r.badRows.isEmpty()) {
                BadRow b = r.badRows.get(0);
                throw new InputFormatException(
                        file,
                        b.line(),
                        null,
                        "malformed row (" + b.reason().key()
                                + (b.detail() == null ? "" : ": " + b.detail())
                                + "); badRows=skip counts and skips such rows");
            }
        }
    }

    /** Reads exactly {@code len} bytes at {@code pos} into {@code buf[0, len)}; returns {@code len}. */
    static int readAt(FileChannel ch, byte[] buf, long pos, int len) throws IOException {
        return readAt(ch, buf, 0, pos, len);
    }

    /** Reads exactly {@code len} bytes at {@code pos} into {@code buf[off, off + len)}; returns {@code len}. */
    static int readAt(FileChannel ch, byte[] buf, int off, long pos, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        while (bb.hasRemaining()) {
            int n = ch.read(bb, pos + bb.position() - off);
            if (n < 0) {
                throw new IOException("file ended early at byte " + (pos + bb.position() - off)
                        + "; was it truncated while being read?");
            }
        }
        return len;
    }

    // ------------------------------------------------------------------------------------------------ merge

    /**
     * Concatenates the chunks' rows in file order with ids of one dictionary: the first thread's dictionaries become
     * the global ones and the other threads' labels are interned into them; then, on {@code threads} threads, each
     * chunk's rows are copied (mapped to the merged ids) and the labels' strings made.
     */
    private static RawPlays merge(long size, int chunkCount, ChunkResult[] results, ChunkWorker[] dicts, int threads)
            throws IOException {
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
        ByteLabelDictionary users = dicts[0].users;
        ByteLabelDictionary items = dicts[0].items;
        // the first thread's labels become strings while the other threads' labels are interned
        ByteLabelDictionary.Frozen users0 = users.frozen();
        ByteLabelDictionary.Frozen items0 = items.frozen();
        String[] firstUsers = new String[users0.size()];
        String[] firstItems = new String[items0.size()];
        IdentityHashMap<ChunkWorker, int[][]> maps = new IdentityHashMap<>();
        maps.put(dicts[0], null);
        int firstTasks = labelTasks(firstItems.length);
        Parallel.forEach(threads, 1 + firstTasks, t -> {
            if (t == 0) {
                for (int w = 1; w < dicts.length; w++) {
                    int[][] m = {users.internAll(dicts[w].users), items.internAll(dicts[w].items)};
                    synchronized (maps) {
                        maps.put(dicts[w], m);
                    }
                }
                return;
            }
            int part = t - 1;
            users0.labels(
                    firstUsers,
                    share(firstUsers.length, part, firstTasks),
                    share(firstUsers.length, part + 1, firstTasks));
            items0.labels(
                    firstItems,
                    share(firstItems.length, part, firstTasks),
                    share(firstItems.length, part + 1, firstTasks));
        });
        int[] rowUser = new int[(int) kept];
        int[] rowItem = new int[(int) kept];
        int[] at = new int[results.length];
        for (int k = 1; k < results.length; k++) {
            at[k] = at[k - 1] + results[k - 1].rowUser.size();
        }
        String[] userLabels = Arrays.copyOf(firstUsers, users.size());
        String[] itemLabels = Arrays.copyOf(firstItems, items.size());
        ByteLabelDictionary.Frozen usersAll = users.frozen();
        ByteLabelDictionary.Frozen itemsAll = items.frozen();
        int newUsers = userLabels.length - firstUsers.length;
        int newItems = itemLabels.length - firstItems.length;
        int labelTasks = labelTasks(newItems);
        // the chunks' rows (mapped to the merged ids) and the other threads' labels' strings, in parallel
        Parallel.forEach(threads, results.length + labelTasks, t -> {
            if (t >= results.length) {
                int part = t - results.length;
                usersAll.labels(
                        userLabels,
                        firstUsers.length + share(newUsers, part, labelTasks),
                        firstUsers.length + share(newUsers, part + 1, labelTasks));
                itemsAll.labels(
                        itemLabels,
                        firstItems.length + share(newItems, part, labelTasks),
                        firstItems.length + share(newItems, part + 1, labelTasks));
                return;
            }
            ChunkResult r = results[t];
            int n = r.rowUser.size();
            int[][] m = maps.get(r.worker);
            if (m == null) {
                System.arraycopy(r.rowUser.raw(), 0, rowUser, at[t], n);
                System.arraycopy(r.rowItem.raw(), 0, rowItem, at[t], n);
            } else {
                int[] uMap = m[0];
                int[] iMap = m[1];
                int[] ru = r.rowUser.raw();
                int[] ri = r.rowItem.raw();
                for (int i = 0, o = at[t]; i < n; i++, o++) {
                    rowUser[o] = uMap[ru[i]];
                    rowItem[o] = iMap[ri[i]];
                }
            }
            results[t] = null; // let the chunk's arrays go
        });
        IngestStats stats = new IngestStats(size, rowsRead, dropped, bad, chunkCount);
        return new RawPlays(userLabels, itemLabels, rowUser, rowItem, stats);
    }
}
