package encore.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hostile-input corpus ({@code src/test/resources/hostile/expected.tsv}): every file through the real front end
 * with its documented outcome, counts or a one-line error naming {@code file:line}. Large and odd files
 * ({@code gen:NAME}) are generated here rather than committed.
 */
class HostileCorpusTest {
    static final String HEADER = "user_id,date,track,artist,album\n";

    @TempDir
    static Path gen;

    static Path corpus() {
        try {
            return Path.of(HostileCorpusTest.class
                            .getResource("/hostile/expected.tsv")
                            .toURI())
                    .getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String line : Files.readAllLines(corpus().resolve("expected.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f[1].equals("*")) {
                out.add(Arguments.of(f[0], "skip", f[2]));
                out.add(Arguments.of(f[0], "fail", f[2]));
            } else {
                out.add(Arguments.of(f[0], f[1], f[2]));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} [{1}] → {2}")
    @MethodSource("cases")
    void caseHasItsDocumentedOutcome(String name, String policy, String expected) throws Exception {
        Path file = name.startsWith("gen:") ? generate(name.substring(4)) : corpus().resolve(name);
        boolean triples = policy.equals("-");
        boolean chunked = name.contains("chunk");
        BadRowPolicy p = policy.equals("fail") ? BadRowPolicy.FAIL : BadRowPolicy.SKIP;
        IngestOptions opts = new IngestOptions(
                ItemKey.TRACK, p, chunked ? 2 : 1, chunked ? 64 << 10 : IngestOptions.DEFAULT_CHUNK_BYTES);
        IngestProgress progress = name.equals("gen:grows-while-read.csv") ? growing(file) : IngestProgress.NONE;
        if (expected.startsWith("error ")) {
            String[] e = expected.split(" ", 3);
            long line = Long.parseLong(e[1]);
            InputFormatException ex = assertThrows(InputFormatException.class, () -> {
                if (triples) {
                    TriplesReader.readTrain(file);
                } else {
                    Prepare.run(file, new PrepareOptions(opts, -1, SplitSpec.none()), progress);
                }
            });
            String msg = ex.getMessage();
            assertTrue(msg.startsWith(file + (line > 0 ? ":" + line : "") + ": "), msg);
            assertTrue(msg.contains(e[2]), msg);
            assertEquals(line, ex.line());
            assertFalse(msg.contains("\n"), "one line: " + msg);
            assertTrue(msg.length() < 600, "short: " + msg);
            return;
        }
        assertTrue(expected.startsWith("ok"), expected);
        Map<String, Long> want = new LinkedHashMap<>();
        for (String kv : expected.substring(2).trim().split(" +")) {
            String[] parts = kv.split("=");
            want.put(parts[0], Long.parseLong(parts[1]));
        }
        Map<String, Long> got = new LinkedHashMap<>();
        if (triples) {
            Interactions t = TriplesReader.readTrain(file);
            got.put("users", (long) t.users().size());
            got.put("items", (long) t.items().size());
            got.put("ratings", (long) t.nnz());
        } else {
            Prepared prepared = Prepare.run(file, new PrepareOptions(opts, -1, SplitSpec.none()), progress);
            IngestStats s = prepared.ingest();
            got.put("read", s.rowsRead());
            got.put("kept", s.rowsKept());
            got.put("users", (long) prepared.plays().users().size());
            got.put("items", (long) prepared.plays().items().size());
            got.put("pairs", (long) prepared.plays().pairs());
            for (DropReason r : DropReason.values()) {
                got.put(r.key(), s.dropped(r));
            }
            // nothing is lost silently: every row read is kept or counted under one reason
            assertEquals(s.rowsRead(), s.rowsKept() + s.droppedTotal(), "rows read = kept + dropped");
            if (chunked) { // cut into 64 KiB chunks on 2 threads, the counts are those of one chunk on one thread
                IngestStats one = Prepare.run(
                                file,
                                new PrepareOptions(
                                        opts.withThreads(1).withChunkBytes(IngestOptions.DEFAULT_CHUNK_BYTES),
                                        -1,
                                        SplitSpec.none()))
                        .ingest();
                assertTrue(s.chunks() > 4, "chunks: " + s.chunks());
                assertEquals(one.rowsRead(), s.rowsRead());
                assertEquals(one.rowsKept(), s.rowsKept());
                assertEquals(one.badRows(), s.badRows());
            }
            for (DropReason r : DropReason.values()) {
                if (!want.containsKey(r.key())) {
                    want.put(r.key(), 0L);
                }
            }
        }
        for (var e : want.entrySet()) {
            assertEquals(e.getValue(), got.get(e.getKey()), e.getKey() + " in " + got);
        }
    }

    // ------------------------------------------------------------------------------------------------ generated files

    static Path generate(String name) throws IOException, InterruptedException {
        return generate(gen, name);
    }

    /** The generated file {@code name} in {@code dir} (made there unless it already is). */
    static Path generate(Path dir, String name) throws IOException, InterruptedException {
        Path p = dir.resolve(name);
        if (Files.exists(p)
                && !name.equals("grows-while-read.csv")
                && !name.equals("unreadable.csv")
                && !name.startsWith("named-pipe")) {
            return p;
        }
        switch (name) {
            case "field-10mb.csv" ->
                write(p, HEADER + "u1,1," + "a".repeat(10 << 20) + ",Band,Record\nu2,2,Song,Band,Record\n");
            case "field-over-16mi-chars.csv" ->
                write(
                        p,
                        HEADER + "u1,1,Song,Band,Record\nu2,2,\"" + "a".repeat(17 << 20)
                                + "\",Band,Record\nu3,3,Song,Band,Record\n");
            case "header-100k-columns.csv" ->
                write(p, "user_id,date,track,artist,album," + columns(100_000) + "\nu1,1,Song,Band,Record\n");
            case "header-over-1mib.csv" ->
                write(p, "user_id,date,track,artist,album," + "x".repeat(1 << 20) + "\nu1,1,Song,Band,Record\n");
            case "row-5000-fields.csv" ->
                write(p, HEADER + "u1,1,Song,Band,Record\nu2," + columns(4999) + "\nu3,3,Song,Band,Record\n");
            case "row-4096-fields.csv" ->
                write(p, HEADER + "u1,1,Song,Band,Record\nu2," + columns(4095) + "\nu3,3,Song,Band,Record\n");
            case "overlong-rows-in-chunks.csv" -> {
                StringBuilder sb = new StringBuilder(HEADER);
                String wide = columns(4999);
                for (int i = 0; i < 6000; i++) {
                    sb.append('u').append(i % 60).append(',');
                    sb.append(i % 100 == 50 ? wide : i + ",\"Track\n" + (i % 7) + "\",Band,Record");
                    sb.append('\n');
                }
                write(p, sb.toString());
            }
            case "long-lines.csv" ->
                write(
                        p,
                        HEADER + "u1,1," + "t".repeat(3 << 20) + "," + "b".repeat(3 << 20)
                                + ",Record\nu2,2,Song,Band,Record\n");
            case "many-chunks-quoted-newlines-crlf.csv" -> write(p, manyRows());
            case "gzip-many-chunks.csv.gz" -> {
                try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(p))) {
                    os.write(manyRows().getBytes(StandardCharsets.UTF_8));
                }
            }
            case "directory", "triples-directory" -> Files.createDirectories(p);
            case "no-such-file.csv" -> {
                return p;
            }
            case "unreadable.csv" -> {
                write(p, HEADER + "u1,1,Song,Band,Record\n");
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
                Assumptions.assumeFalse(Files.isReadable(p), "running as root: every file is readable");
            }
            case "triples-named-pipe.tsv" -> mkfifo(p); // root-proof: no privilege makes a FIFO a file
            case "named-pipe.csv" -> // spooled, then read as a file: one writer per read
                writeThroughFifo(
                        p,
                        (HEADER + "u1,1,Song,Band,Record\nu2,2,Song,Band,Record,extra\nu3,3,Song,Band,Record\n")
                                .getBytes(StandardCharsets.UTF_8));
            case "named-pipe-gzip.csv.gz" -> {
                java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
                try (OutputStream os = new GZIPOutputStream(gz)) {
                    os.write(manyRows().getBytes(StandardCharsets.UTF_8));
                }
                writeThroughFifo(p, gz.toByteArray());
            }
            case "grows-while-read.csv" -> write(p, manyRows());
            case "triples-long-line.tsv" -> write(p, "u1\t" + "i".repeat(1 << 20) + "\t3\n");
            default -> fail("no generator for " + name);
        }
        return p;
    }

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Files.deleteIfExists(p);
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", p.toString()).start();
        } catch (IOException e) {
            Assumptions.abort("no mkfifo here: " + e.getMessage());
            return;
        }
        assertEquals(0, mk.waitFor(), "mkfifo " + p);
    }

    /** A FIFO at {@code p} and a daemon thread that writes {@code bytes} into it once a reader opens it. */
    static void writeThroughFifo(Path p, byte[] bytes) throws IOException, InterruptedException {
        mkfifo(p);
        Thread writer = new Thread(
                () -> {
                    try (OutputStream os = Files.newOutputStream(p)) { // blocks until the reader opens the FIFO
                        os.write(bytes);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                "fifo-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** 20,000 rows over 100 users and 200 tracks with quoted newlines and CRLF ends, ~1 MB: many 64 KiB chunks. */
    static String manyRows() {
        StringBuilder sb = new StringBuilder(HEADER);
        for (int i = 0; i < 20_000; i++) {
            sb.append("user")
                    .append(i % 100)
                    .append(',')
                    .append(i)
                    .append(",\"Track ")
                    .append((i / 100) % 200)
                    .append("\nsecond line\",\"Artist, \"\"quoted\"\"\",Album")
                    .append(i % 2 == 0 ? "\r\n" : "\n");
        }
        return sb.toString();
    }

    static String columns(int n) {
        StringBuilder sb = new StringBuilder(n * 7);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('c').append(i);
        }
        return sb.toString();
    }

    static void write(Path p, String s) throws IOException {
        Files.write(p, s.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends rows to {@code file} after the first chunk is parsed, as a log writer would. */
    static IngestProgress growing(Path file) {
        return new IngestProgress() {
            boolean done;

            @Override
            public void bytesRead(long read, long total) {
                if (!done) {
                    done = true;
                    try {
                        Files.write(
                                file,
                                "u9,9,Late,Band,Record\n".getBytes(StandardCharsets.UTF_8),
                                StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
    }
}
