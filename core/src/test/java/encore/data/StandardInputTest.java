package encore.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static encore.data.CsvFixtures.HEADER;
import static encore.data.CsvFixtures.count;
import static encore.data.CsvFixtures.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code -} reads standard input through a temporary spool file that is gone afterwards, whatever happened; messages
 * call it "standard input". (Named pipes, spooled the same way, are in the hostile corpus: {@code gen:named-pipe*}.)
 */
class StandardInputTest {
    static final Path DASH = ListeningsReader.STANDARD_INPUT;
    static final String CSV = HEADER + "u1,1,A,x,y\nu1,2,A,x,y\nu2,3,B,x,y\n";

    private InputStream savedIn;
    private List<Path> spoolsBefore;

    @BeforeEach
    void saveStdin() throws IOException {
        savedIn = System.in;
        spoolsBefore = spools();
    }

    @AfterEach
    void restoreStdinAndCheckNoSpoolIsLeft() throws IOException {
        System.setIn(savedIn);
        List<Path> left = spools();
        left.removeAll(spoolsBefore);
        assertEquals(List.of(), left, "spool files left in java.io.tmpdir");
    }

    /** The spool files in the system's temp directory. */
    static List<Path> spools() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return new java.util.ArrayList<>(
                    s.filter(p -> p.getFileName().toString().startsWith("encore-spool-"))
                            .toList());
        }
    }

    static Prepared prepare(Path file, BadRowPolicy policy) throws IOException {
        return Prepare.run(file, new PrepareOptions(opts().withBadRows(policy), -1, SplitSpec.none()));
    }

    static void stdin(byte[] bytes) {
        System.setIn(new ByteArrayInputStream(bytes));
    }

    @Test
    void dashReadsStandardInputAndReportsItAsTheSource() throws Exception {
        stdin(CSV.getBytes(StandardCharsets.UTF_8));
        Prepared p = prepare(DASH, BadRowPolicy.SKIP);
        assertEquals(3, p.ingest().rowsRead());
        assertEquals(CSV.length(), p.ingest().bytes());
        assertEquals(2, count(p, "u1", "A"));
        assertEquals(1, count(p, "u2", "B"));
        assertEquals(Path.of("standard input"), p.source());
        assertEquals(0, System.in.available(), "standard input was read to the end");
    }

    @Test
    void gzipOnStandardInputIsDecompressedToo() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream os = new GZIPOutputStream(gz)) {
            os.write(CSV.getBytes(StandardCharsets.UTF_8));
        }
        stdin(gz.toByteArray());
        assertEquals(2, count(prepare(DASH, BadRowPolicy.SKIP), "u1", "A"));
    }

    @Test
    void errorsNameStandardInputNotTheSpoolFile() throws Exception {
        stdin((CSV + "u3,4,C,x,y,extra\n").getBytes(StandardCharsets.UTF_8));
        InputFormatException bad = assertThrows(InputFormatException.class, () -> prepare(DASH, BadRowPolicy.FAIL));
        assertEquals(
                "standard input:5: malformed row (too_many_fields: 6 fields, the header has 5); badRows=skip counts "
                        + "and skips such rows",
                bad.getMessage());

        stdin(new byte[0]);
        InputFormatException empty = assertThrows(InputFormatException.class, () -> prepare(DASH, BadRowPolicy.SKIP));
        assertEquals(
                "standard input: no data (0 bytes): expected a header line such as user_id,date,track,artist,album",
                empty.getMessage());

        stdin(HEADER.getBytes(StandardCharsets.UTF_8));
        InputFormatException none = assertThrows(InputFormatException.class, () -> prepare(DASH, BadRowPolicy.SKIP));
        assertEquals(
                "standard input: no usable rows: 0 data rows read, 0 dropped (rows need a non-empty user_id, track, "
                        + "artist and album)",
                none.getMessage());

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream os = new GZIPOutputStream(gz)) {
            os.write(CSV.getBytes(StandardCharsets.UTF_8));
        }
        byte[] truncated = java.util.Arrays.copyOf(gz.toByteArray(), gz.size() - 10);
        stdin(truncated);
        InputFormatException cut = assertThrows(InputFormatException.class, () -> prepare(DASH, BadRowPolicy.SKIP));
        assertEquals("standard input: truncated gzip stream (the file ends early)", cut.getMessage());
    }

    @Test
    void aFailingStandardInputIsOneMessageAndLeavesNoSpool() {
        System.setIn(new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ < 100) {
                    return 'x';
                }
                throw new IOException("Connection reset by peer");
            }
        });
        IOException e = assertThrows(IOException.class, () -> prepare(DASH, BadRowPolicy.SKIP));
        assertEquals("standard input: cannot read (Connection reset by peer)", e.getMessage());
    }

    @Test
    void aCharacterDeviceIsSpooledNotCalledAnEmptyFile() {
        Path devNull = Path.of("/dev/null");
        assumeTrue(Files.exists(devNull) && !Files.isRegularFile(devNull), "no /dev/null device here");
        InputFormatException e = assertThrows(InputFormatException.class, () -> prepare(devNull, BadRowPolicy.SKIP));
        assertEquals(
                "/dev/null: no data (0 bytes): expected a header line such as user_id,date,track,artist,album",
                e.getMessage());
        assertFalse(e.getMessage().contains("empty file"));
    }

    @Test
    void onlyTheBareDashMeansStandardInput() {
        assertEquals(true, ListeningsReader.isStandardInput(Path.of("-")));
        assertEquals(false, ListeningsReader.isStandardInput(Path.of("./-")));
        assertEquals(false, ListeningsReader.isStandardInput(Path.of("/tmp/-")));
        assertEquals(false, ListeningsReader.isStandardInput(null));
        assertEquals(Path.of("standard input"), ListeningsReader.shownName(Path.of("-")));
        assertEquals(Path.of("./-"), ListeningsReader.shownName(Path.of("./-")));
    }
}
