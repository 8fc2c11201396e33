package encore.data;

import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte-level fast path against the reference parser (univocity): on every listenings file of the hostile corpus,
 * on generated files with every kind of dirt, and on files built to put odd rows at window edges, a read with the
 * fast path says exactly what a read without it says — the error and its line, or the rows read, the drops by
 * reason, the bad-row samples with their lines, and every kept row's labels in file order (with one thread, the very
 * ids) — and the whole front end writes the same files byte for byte.
 */
class FastPathDifferentialTest {
    @TempDir
    Path dir;

    /** The corpus's generated files, made once for the class. */
    @TempDir
    static Path generated;

    /** Small windows cross window edges at every other row; 1 MiB is the production window. */
    static final int[] WINDOWS = {16, 61, 256, 4096, 1 << 20};

    /** Every listenings file named in the corpus's expected.tsv (committed ones and generated ones), once each. */
    static List<String> corpusFiles() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        for (String line :
                Files.readAllLines(HostileCorpusTest.corpus().resolve("expected.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (!f[1].equals("-")) {
                names.add(f[0]);
            }
        }
        return new ArrayList<>(names);
    }

    static List<Arguments> corpusCases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String name : corpusFiles()) {
            for (BadRowPolicy policy : BadRowPolicy.values()) {
                out.add(Arguments.of(name, policy));
            }
        }
        return out;
    }

    static Path corpusFile(String name) throws IOException, InterruptedException {
        return name.startsWith("gen:")
                ? HostileCorpusTest.generate(generated, name.substring(4))
                : HostileCorpusTest.corpus().resolve(name);
    }

    @ParameterizedTest(name = "{0} [{1}]")
    @MethodSource("corpusCases")
    void everyCorpusFileReadsAsTheReferenceParserReadsIt(String name, BadRowPolicy policy) throws Exception {
        for (int threads : new int[] {1, 2}) {
            for (int chunk : new int[] {IngestOptions.DEFAULT_CHUNK_BYTES, 64 << 10}) {
                IngestOptions o = new IngestOptions(ItemKey.TRACK, policy, threads, chunk);
                ReadOutcome ref = ReadOutcome.of(corpusFile(name), o, FastPath.OFF);
                for (int w : WINDOWS) {
                    String what =
                            name + " " + policy + ", " + threads + " threads, " + chunk + " B chunks, window " + w;
                    ReadOutcome fast = ReadOutcome.of(corpusFile(name), o, new FastPath(true, w));
                    ref.assertSame(fast, threads == 1, what);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpusFiles")
    void everyCorpusFileGivesTheSameOutputFiles(String name) throws Exception {
        if (name.startsWith("gen:named-pipe")) {
            return; // a pipe is read once; the read above compares its rows already
        }
        IngestOptions o = new IngestOptions(ItemKey.ARTIST_TRACK, BadRowPolicy.SKIP, 2, 64 << 10);
        ReadOutcome.assertSameOutputs(corpusFile(name), o, dir, new FastPath(true, 61));
    }

    @ParameterizedTest(name = "seed {0}, dirt {1}, key {2}")
    @CsvSource({
        "1, 0.005, TRACK",
        "2, 0.5, TRACK",
        "3, 0.5, ARTIST_TRACK",
        "4, 0.2, ARTIST",
        "5, 0.5, ALBUM",
    })
    void generatedFilesWithEveryKindOfDirtReadAlike(long seed, double dirt, ItemKey key) throws Exception {
        GeneratorConfig cfg =
                GeneratorConfig.forRows(40_000, seed).toBuilder().dirtRate(dirt).build();
        Path f = dir.resolve("gen-" + seed + ".csv");
        new ListeningsGenerator(cfg).write(f);
        for (BadRowPolicy policy : BadRowPolicy.values()) {
            IngestOptions one = new IngestOptions(key, policy, 1, IngestOptions.DEFAULT_CHUNK_BYTES);
            ReadOutcome ref = ReadOutcome.of(f, one, FastPath.OFF);
            assertTrue(ref.error() == null, ref.error());
            assertTrue(ref.stats().droppedTotal() > 0, "the file has dirt");
            for (int w : new int[] {97, 4096, 1 << 20}) {
                ref.assertSame(ReadOutcome.of(f, one, new FastPath(true, w)), true, "window " + w);
            }
            IngestOptions many = new IngestOptions(key, policy, 3, 64 << 10);
            ReadOutcome.of(f, many, FastPath.OFF)
                    .assertSame(ReadOutcome.of(f, many, FastPath.ON), false, "3 threads, 64 KiB chunks");
        }
        ReadOutcome.assertSameOutputs(f, new IngestOptions(key, BadRowPolicy.SKIP, 2, 64 << 10), dir, FastPath.ON);
    }

    /**
     * A row with more fields than the header, or one starting with U+FEFF, reads the same wherever a chunk (the
     * reference parser's input) starts: univocity remembers its input's first row, so each span starts behind a
     * primer row. Half the rows are such rows, so many of the 64 KiB chunks start with one.
     */
    @Test
    void rowsReadTheSameWhereverAChunkStarts() throws Exception {
        StringBuilder sb = new StringBuilder(HostileCorpusTest.HEADER);
        for (int i = 0; i < 12_000; i++) {
            switch (i % 4) {
                case 0 ->
                    sb.append("u")
                            .append(i % 50)
                            .append(",1,Song ")
                            .append(i % 30)
                            .append(",Band,Record,x\n");
                case 1 ->
                    sb.append("\uFEFFu")
                            .append(i % 50)
                            .append(",1,Song ")
                            .append(i % 30)
                            .append(",Band,Record\n");
                default ->
                    sb.append("u")
                            .append(i % 50)
                            .append(",1,Song ")
                            .append(i % 30)
                            .append(",Band,Record\n");
            }
        }
        Path f = Files.write(dir.resolve("first-rows.csv"), sb.toString().getBytes(StandardCharsets.UTF_8));
        for (FastPath fp : new FastPath[] {FastPath.OFF, FastPath.ON}) {
            IngestOptions whole =
                    new IngestOptions(ItemKey.TRACK, BadRowPolicy.SKIP, 1, IngestOptions.DEFAULT_CHUNK_BYTES);
            IngestOptions cut = new IngestOptions(ItemKey.TRACK, BadRowPolicy.SKIP, 2, 64 << 10);
            RawPlays one = ListeningsReader.read(f, whole, IngestProgress.NONE, fp);
            RawPlays many = ListeningsReader.read(f, cut, IngestProgress.NONE, fp);
            assertTrue(many.stats().chunks() > 4, "chunks: " + many.stats().chunks());
            assertEquals(12_000, one.stats().rowsRead());
            assertEquals(3_000, one.stats().dropped(DropReason.TOO_MANY_FIELDS), fp.toString());
            assertEquals(9_000, one.rows());
            assertEquals(75, one.userLabels().length, "u0 … u49, and U+FEFF before the 25 odd ones");
            assertEquals(
                    one.stats().dropped(DropReason.TOO_MANY_FIELDS),
                    many.stats().dropped(DropReason.TOO_MANY_FIELDS));
            assertEquals(one.rows(), many.rows());
            assertEquals(Set.of(one.userLabels()), Set.of(many.userLabels()));
        }
    }

    /**
     * Rows the fast path reads mixed with every kind of row it hands over (one at a time or with the rest of the
     * chunk), at every offset against small windows and 64 KiB chunks.
     */
    @Test
    void oddRowsAmongSimpleOnesAtEveryWindowOffsetReadAlike() throws Exception {
        String[] odd = {
            "u9,1,Tab\there,Band,Record\n", // a control character: one row to the reference parser
            "u9,1,Nul\0,Band,Record\n",
            "u9,1,Bad \u00ff,Band,Record\n".replace('\u00ff', '?'), // replaced below by an invalid byte
            "u9,1,Song,Band,Record,extra\n", // too many fields
            "u9\n", // one field
            "\uFEFFu9,1,Song,Band,Record\n", // a byte-order mark
            "u9,1,Cr\rin,Band,Record\n",
            "u9,1,\"Quoted \"\"x\"\"\",Band,Record\n", // simple after all: doubled quotes
            "u9,1,\"Two\nlines\",Band,Record\n", // a quote: the rest of the chunk to the reference parser
            "u9,1,Stray\"quote,Band,Record\n",
            "u9,1,\"Closed\"then,Band,Record\n",
            "u9,1,,Band,Record\n", // missing track
            "u9,1,Song,Band\n", // missing album (short row)
            "\n",
            "\r\n",
            "u9,1,Song,Band,Record\r\n",
            "u9,1,\"\",Band,Record\n", // quoted empty: missing
            "u9,1,Émoji 🎵,Bänd,Record\n",
        };
        StringBuilder simple = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            simple.append("user")
                    .append(i % 7)
                    .append(',')
                    .append(i)
                    .append(",Track ")
                    .append(i % 11)
                    .append(",\"Artist, ")
                    .append(i % 5)
                    .append("\",Album\n");
        }
        int file = 0;
        for (String o : odd) {
            for (int at = 0; at < 12; at++) {
                String s = HostileCorpusTest.HEADER + simple.substring(0, at * 37) + o + simple;
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '?') {
                        bytes[i] = (byte) 0xFF;
                    }
                }
                Path f = Files.write(dir.resolve("odd-" + file++ + ".csv"), bytes);
                for (BadRowPolicy policy : BadRowPolicy.values()) {
                    IngestOptions one = new IngestOptions(ItemKey.ARTIST_TRACK, policy, 1, 64 << 10);
                    ReadOutcome ref = ReadOutcome.of(f, one, FastPath.OFF);
                    for (int w : WINDOWS) {
                        ref.assertSame(ReadOutcome.of(f, one, new FastPath(true, w)), true, o.trim() + " at " + at);
                    }
                }
            }
        }
        assertEquals(odd.length * 12, file);
    }
}
