package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.matrix.Csr;
import encore.matrix.Factors;
import encore.data.LabelIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@link ModelStore}: bit-exact round trips of random models, and every kind of damaged or foreign file (flipped
 * bytes, truncation, bad magic, newer versions, absurd lengths, CRC-valid but inconsistent content) rejected with a
 * {@link ModelFormatException}; failed saves leave the previous file and no temporary files behind.
 */
class ModelStoreTest {
    @TempDir
    Path dir;

    private static final String[] FRAGMENTS = {
        "a", "b", "z", "Q", "0", "7", " ", "\t", "\n", ",", "\"", "\\", "\u0000", "é", "ß", "ø", "Ω", "音", "楽",
        "🎵", "😀", "𝄞", "\u00a0", "\ufffd", "-", "_", "rock", "Björk", "Sigur Rós", "坂本龍一"};

    // ------------------------------------------------------------------------------------------- random models

    private static String[] labels(SplittableRandom rnd, int n) {
        Set<String> set = new LinkedHashSet<>();
        // edge names first, when there is room
        for (String edge : new String[] {" ", "\t", "", "🎵", "  "}) {
            if (set.size() < n && rnd.nextBoolean()) {
                set.add(edge);
            }
        }
        while (set.size() < n) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(6);
            for (int i = 0; i < len; i++) {
                sb.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
            }
            if (rnd.nextInt(5) == 0) {
                sb.append(rnd.nextInt(1_000_000));
            }
            set.add(sb.toString());
        }
        return set.toArray(new String[0]);
    }

    private static LabelIndex index(SplittableRandom rnd, int n) {
        int[] freq = new int[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            freq[i] = kind == 0 ? 0 : kind == 1 ? Integer.MAX_VALUE : rnd.nextInt(5000);
        }
        return LabelIndex.ofOrdered(labels(rnd, n), freq);
    }

    private static float randomFactor(SplittableRandom rnd) {
        switch (rnd.nextInt(40)) {
            case 0:
                return -0.0f;
            case 1:
                return Float.MIN_VALUE;
            case 2:
                return -Float.MIN_NORMAL / 3;
            case 3:
                return 0f;
            default:
                return (float) (rnd.nextGaussian() * 0.5);
        }
    }

    private static float[] factors(SplittableRandom rnd, int n, int rank, BitSet has) {
        float[] f = new float[n * rank];
        for (int i = 0; i < n; i++) {
            if (has.get(i)) {
                for (int d = 0; d < rank; d++) {
                    f[i * rank + d] = randomFactor(rnd);
                }
            }
        }
        return f;
    }

    private static BitSet presence(SplittableRandom rnd, int n) {
        BitSet b = new BitSet();
        int coldEvery = 2 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(coldEvery) != 0) {
                b.set(i);
            }
        }
        return b;
    }

    private static AlsParams params(SplittableRandom rnd, int rank) {
        boolean implicit = rnd.nextBoolean();
        boolean nonneg = rnd.nextInt(4) == 0;
        AlsParams.Solver solver = implicit && !nonneg && rnd.nextBoolean() ? AlsParams.Solver.CG
            : AlsParams.Solver.CHOLESKY;
        return AlsParams.builder().rank(rank).maxIter(rnd.nextInt(40)).regParam(rnd.nextDouble() * 3)
            .implicitPrefs(implicit).alpha(rnd.nextDouble() * 40).nonnegative(nonneg).seed(rnd.nextLong())
            .solver(solver).cgSteps(1 + rnd.nextInt(9))
            .coldStartStrategy(rnd.nextBoolean() ? AlsParams.ColdStartStrategy.NAN : AlsParams.ColdStartStrategy.DROP)
            .init(rnd.nextBoolean() ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE).numBlocks(1 + rnd.nextInt(40))
            .build();
    }

    private static AlsModel model(SplittableRandom rnd, int nu, int ni, int rank) {
        BitSet uh = presence(rnd, nu);
        BitSet ih = presence(rnd, ni);
        return new AlsModel(params(rnd, rank), index(rnd, nu), index(rnd, ni),
            Factors.wrap(factors(rnd, nu, rank, uh), nu, rank, uh),
            Factors.wrap(factors(rnd, ni, rank, ih), ni, rank, ih));
    }

    private static Csr seen(SplittableRandom rnd, int nu, int ni) {
        int n = rnd.nextInt(nu * 4 + 1);
        int[] r = new int[n];
        int[] c = new int[n];
        float[] v = new float[n];
        for (int q = 0; q < n; q++) {
            r[q] = rnd.nextInt(nu);
            c[q] = rnd.nextInt(ni);
            v[q] = 1 + rnd.nextInt(50);
        }
        return Csr.fromCoordinates(nu, ni, r, c, v);
    }

    private static Map<String, String> metadata(SplittableRandom rnd) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("created-by", "encore test 0.1.0");
        m.put("source", "/data/listenings " + String.join("", labels(rnd, 1)) + ".csv");
        m.put("timestamp", "2024-05-01T12:00:00Z");
        m.put("", "empty key");
        m.put("emoji 🎵", "");
        return m;
    }

    // ------------------------------------------------------------------------------------------- round trip

    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void roundTripIsExact(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int rank = 1 + rnd.nextInt(40);
        int nu = 1 + rnd.nextInt(120);
        int ni = 1 + rnd.nextInt(150);
        AlsModel m = model(rnd, nu, ni, rank);
        Csr seen = rnd.nextBoolean() ? seen(rnd, nu, ni) : null;
        Map<String, String> meta = rnd.nextBoolean() ? metadata(rnd) : Map.of();
        Path f = dir.resolve("model.encore");
        ModelStore.save(f, m, seen, meta);

        ModelStore.Stored st = ModelStore.load(f);
        AlsModel a = st.model();
        assertModelEquals(m, a);
        assertEquals(meta, st.metadata());
        assertThrows(UnsupportedOperationException.class, () -> st.metadata().put("x", "y"));
        assertEquals(List.copyOf(new TreeSet<>(meta.keySet())), List.copyOf(st.metadata().keySet()));

        assertRecsEqual(m.recommendForAllUsers(5, null), a.recommendForAllUsers(5, null));
        if (seen == null) {
            assertNull(st.seen());
        } else {
            Csr s = st.seen();
            assertEquals(seen.rows(), s.rows());
            assertEquals(seen.cols(), s.cols());
            assertArrayEquals(seen.rowPtr(), s.rowPtr());
            assertArrayEquals(seen.colIdx(), s.colIdx());
            for (float v : s.values()) {
                assertEquals(1.0f, v);
            }
            assertRecsEqual(m.recommendForAllUsers(5, seen), a.recommendForAllUsers(5, s));
        }
        // deterministic: the same model saves to the same bytes
        Path g = dir.resolve("again.encore");
        ModelStore.save(g, a, st.seen(), st.metadata());
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
        assertNoTempFiles();
    }

    static void assertModelEquals(AlsModel m, AlsModel a) {
        assertEquals(m.rank(), a.rank());
        assertEquals(m.params(), a.params());
        assertEquals(m.users(), a.users());
        assertEquals(m.items(), a.items());
        for (int u = 0; u < m.users().size(); u++) {
            assertEquals(m.users().label(u), a.users().label(u));
            assertEquals(m.users().frequency(u), a.users().frequency(u));
            assertEquals(m.hasUser(u), a.hasUser(u));
        }
        for (int i = 0; i < m.items().size(); i++) {
            assertEquals(m.items().label(i), a.items().label(i));
            assertEquals(m.items().frequency(i), a.items().frequency(i));
            assertEquals(m.hasItem(i), a.hasItem(i));
        }
        assertArrayEquals(bits(m.userFactors().data()), bits(a.userFactors().data()));
        assertArrayEquals(bits(m.itemFactors().data()), bits(a.itemFactors().data()));
        assertEquals(m.userFactors(), a.userFactors());
        assertEquals(m.itemFactors(), a.itemFactors());
        for (int u = 0; u < m.users().size(); u++) {
            for (int i = 0; i < m.items().size(); i++) {
                assertEquals(Float.floatToRawIntBits(m.predict(u, i)), Float.floatToRawIntBits(a.predict(u, i)));
            }
        }
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    private static void assertRecsEqual(Recommendations x, Recommendations y) {
        assertEquals(x.rows(), y.rows());
        for (int q = 0; q < x.rows(); q++) {
            assertArrayEquals(x.ids(q), y.ids(q));
            assertArrayEquals(bits(x.scores(q)), bits(y.scores(q)));
        }
    }

    @Test
    void emptyModelRoundTrips() throws IOException {
        AlsParams p = AlsParams.builder().rank(3).build();
        LabelIndex none = LabelIndex.ofOrdered(new String[0], new int[0]);
        AlsModel m = new AlsModel(p, none, none, Factors.wrap(new float[0], 0, 3, new BitSet()),
            Factors.wrap(new float[0], 0, 3, new BitSet()));
        Path f = dir.resolve("empty.encore");
        ModelStore.save(f, m, new Csr(0, 0, new int[1], new int[0], new float[0]), null);
        ModelStore.Stored st = ModelStore.load(f);
        assertModelEquals(m, st.model());
        assertEquals(0, st.seen().rows());
        assertTrue(st.metadata().isEmpty());
    }

    @Test
    void overwritesAnExistingModel() throws IOException {
        Path f = dir.resolve("model.encore");
        ModelStore.save(f, model(new SplittableRandom(1), 10, 20, 4), null, null);
        AlsModel b = model(new SplittableRandom(2), 15, 7, 9);
        ModelStore.save(f, b, null, null);
        assertModelEquals(b, ModelStore.load(f).model());
        assertNoTempFiles();
    }

    @Test
    void rejectsWhatUtf8CannotHoldAndInconsistentSeen() {
        SplittableRandom rnd = new SplittableRandom(3);
        AlsModel m = model(rnd, 5, 6, 2);
        Path f = dir.resolve("x.encore");
        assertThrows(IllegalArgumentException.class, () -> ModelStore.save(f, m, null, Map.of("k", "bad \ud800 x")));
        Csr wrongShape = new Csr(5, 7, new int[6], new int[0], new float[0]);
        assertThrows(IllegalArgumentException.class, () -> ModelStore.save(f, m, wrongShape, null));
        Csr outOfRange = new Csr(5, 6, new int[] {0, 1, 1, 1, 1, 1}, new int[] {6}, new float[] {1});
        assertThrows(IllegalArgumentException.class, () -> ModelStore.save(f, m, outOfRange, null));
        assertFalse(Files.exists(f));
    }

    // ------------------------------------------------------------------------------------------- file surgery

    /** A section as laid out in a file: header at {@code start}, payload at {@code start + 12}, CRC, then {@code end}. */
    private record Sec(int id, int start, int length) {
        int payload() {
            return start + 12;
        }

        int end() {
            return start + 12 + length + 4;
        }
    }

    private static List<Sec> sections(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Sec> out = new ArrayList<>();
        int pos = 16;
        while (true) {
            Sec s = new Sec(b.getInt(pos), pos, Math.toIntExact(b.getLong(pos + 4)));
            out.add(s);
            pos = s.end();
            if (s.id() == ModelFormat.END) {
                assertEquals(file.length, pos);
                return out;
            }
        }
    }

    private static Sec section(byte[] file, int id) {
        return sections(file).stream().filter(s -> s.id() == id).findFirst().orElseThrow();
    }

    /** Recomputes a section's CRC after the payload was patched, so only the semantic checks can catch it. */
    private static void fixCrc(byte[] file, Sec s) {
        CRC32C crc = new CRC32C();
        crc.update(file, s.start(), 12 + s.length());
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + s.length(), (int) crc.getValue());
    }

    private static byte[] encodeSection(int id, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(id).putLong(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 12 + payload.length);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] splice(byte[] file, int at, byte[] insert, int removeLength) {
        byte[] out = new byte[file.length + insert.length - removeLength];
        System.arraycopy(file, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(file, at + removeLength, out, at + insert.length, file.length - at - removeLength);
        return out;
    }

    private byte[] sample(long seed, int nu, int ni, int rank) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Path f = dir.resolve("sample.encore");
        ModelStore.save(f, model(rnd, nu, ni, rank), seen(rnd, nu, ni), metadata(rnd));
        return Files.readAllBytes(f);
    }

    private ModelFormatException rejected(byte[] content) throws IOException {
        Path f = dir.resolve("bad.encore");
        Files.write(f, content);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelStore.load(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertEquals(f, e.file());
        return e;
    }

    private static void assertContains(String expected, Exception e) {
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- corruption

    @Test
    void everySingleBitFlipIsDetected() throws IOException {
        byte[] good = sample(11, 12, 17, 3);
        for (int p = 0; p < good.length; p++) {
            byte[] bad = good.clone();
            bad[p] ^= (byte) (1 << (p % 8));
            rejected(bad);
        }
    }

    @Test
    void everyNinetySeventhByteInvertedIsDetected() throws IOException {
        byte[] good = sample(12, 300, 900, 16);
        for (int p = 0; p < good.length; p += 97) {
            byte[] bad = good.clone();
            bad[p] ^= (byte) 0xFF;
            ModelFormatException e = rejected(bad);
            assertTrue(e.getMessage().matches(".*(checksum mismatch|truncated|bad magic|format version|flags|"
                + "expected|unknown section).*"), e.getMessage());
        }
    }

    @Test
    void payloadFlipsAreReportedAsChecksumMismatches() throws IOException {
        byte[] good = sample(13, 20, 30, 5);
        for (Sec s : sections(good)) {
            for (int p = s.payload(); p < s.payload() + s.length(); p += 7) {
                byte[] bad = good.clone();
                bad[p] ^= 0x10;
                assertContains("checksum mismatch in section", rejected(bad));
            }
        }
    }

    @Test
    void truncationIsReportedAtEveryBoundaryAndInsideEverySection() throws IOException {
        byte[] good = sample(14, 25, 40, 6);
        Set<Integer> cuts = new TreeSet<>();
        for (int c = 1; c <= 16; c++) {
            cuts.add(c);
        }
        for (Sec s : sections(good)) {
            cuts.addAll(List.of(s.start(), s.start() + 1, s.start() + 4, s.start() + 11, s.payload(),
                s.payload() + s.length() / 2, s.payload() + s.length(), s.end() - 1));
        }
        cuts.removeIf(c -> c >= good.length);
        assertTrue(cuts.size() > 60);
        for (int cut : cuts) {
            ModelFormatException e = rejected(Arrays.copyOf(good, cut));
            assertContains("truncated", e);
        }
        assertContains("truncated in section 'item factors'",
            rejected(Arrays.copyOf(good, section(good, ModelFormat.ITEM_FACTORS).payload() + 10)));
    }

    @Test
    void foreignAndEmptyFilesAreNotEncoreModels() throws IOException {
        assertContains("not an Encore model (bad magic)",
            rejected("user,item,plays\nalice,Björk,3\n".getBytes(StandardCharsets.UTF_8)));
        assertContains("not an Encore model (bad magic)", rejected(new byte[] {1, 2, 3}));
        assertContains("not an Encore model (bad magic)",
            rejected(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13}));
        ModelFormatException empty = rejected(new byte[0]);
        assertContains("empty file", empty);
        assertContains("not an Encore model", empty);
        // a line-ending conversion (LF -> CRLF) breaks the magic
        byte[] good = sample(15, 3, 4, 2);
        byte[] crlf = splice(good, 7, new byte[] {'\r'}, 0);
        assertContains("bad magic", rejected(crlf));
    }

    @Test
    void newerAndInvalidVersionsAndFlagsAreExplained() throws IOException {
        byte[] good = sample(16, 3, 4, 2);
        byte[] v7 = good.clone();
        ByteBuffer.wrap(v7).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
        assertContains("format version 7 is newer than this Encore (reads 1)", rejected(v7));
        byte[] vMax = good.clone();
        ByteBuffer.wrap(vMax).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertContains("format version 4294967295 is newer", rejected(vMax));
        byte[] v0 = good.clone();
        ByteBuffer.wrap(v0).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        assertContains("invalid format version 0", rejected(v0));
        byte[] flags = good.clone();
        flags[12] = 1;
        assertContains("unsupported header flags", rejected(flags));
    }

    @Test
    void hugeDeclaredLengthsAreRejectedWithoutAllocating() throws IOException {
        byte[] good = sample(17, 30, 50, 8);
        for (int id : new int[] {ModelFormat.PARAMS, ModelFormat.USER_LABELS, ModelFormat.ITEM_FACTORS,
            ModelFormat.SEEN}) {
            for (long len : new long[] {1L << 40, Long.MAX_VALUE, -1L, Integer.MAX_VALUE}) {
                Sec s = section(good, id);
                byte[] bad = good.clone();
                ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(s.start() + 4, len);
                assertContains("truncated in section", rejected(bad));
            }
        }
        // counts inside a CRC-valid payload are bounded by the payload, not trusted
        Sec users = section(good, ModelFormat.USER_LABELS);
        for (int count : new int[] {Integer.MAX_VALUE, -1, 1 << 28}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(users.payload(), count);
            fixCrc(bad, users);
            assertContains("does not fit", rejected(bad));
        }
        Sec meta = section(good, ModelFormat.METADATA);
        byte[] bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.payload() + 4, Integer.MAX_VALUE);
        fixCrc(bad, meta);
        assertContains("does not fit", rejected(bad));
        Sec seen = section(good, ModelFormat.SEEN);
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(seen.payload() + 8, Integer.MAX_VALUE);
        fixCrc(bad, seen);
        rejected(bad);
    }

    /** Builds a small model with chosen labels so individual payload bytes are easy to address. */
    private byte[] tiny(String[] users, String[] items, Csr seen) throws IOException {
        int rank = 2;
        BitSet uh = new BitSet();
        uh.set(0, users.length);
        BitSet ih = new BitSet();
        ih.set(0, items.length);
        float[] uf = new float[users.length * rank];
        float[] itf = new float[items.length * rank];
        Arrays.fill(uf, 0.5f);
        Arrays.fill(itf, 0.25f);
        AlsModel m = new AlsModel(AlsParams.builder().rank(rank).build(),
            LabelIndex.ofOrdered(users, new int[users.length]), LabelIndex.ofOrdered(items, new int[items.length]),
            Factors.wrap(uf, users.length, rank, uh), Factors.wrap(itf, items.length, rank, ih));
        Path f = dir.resolve("tiny.encore");
        ModelStore.save(f, m, seen, null);
        return Files.readAllBytes(f);
    }

    @Test
    void checksumValidButInconsistentContentIsRejected() throws IOException {
        Csr seen = new Csr(2, 3, new int[] {0, 2, 3}, new int[] {0, 2, 1}, new float[3]);
        byte[] good = tiny(new String[] {"a", "b"}, new String[] {"x", "y", "z"}, seen);
        assertModelEquals(ModelStore.load(dir.resolve("tiny.encore")).model(),
            ModelStore.load(dir.resolve("tiny.encore")).model());

        Sec params = section(good, ModelFormat.PARAMS);
        for (int rank : new int[] {0, AlsParams.MAX_RANK + 1, -5}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(params.payload(), rank);
            fixCrc(bad, params);
            assertContains("rank", rejected(bad));
        }
        byte[] bad = good.clone();
        bad[params.payload() + 38] = 7;
        fixCrc(bad, params);
        assertContains("unknown solver code 7", rejected(bad));
        bad = good.clone();
        bad[params.payload() + 38] = 1; // CG with explicit feedback
        fixCrc(bad, params);
        assertContains("invalid parameters", rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putDouble(params.payload() + 8, Double.NaN);
        fixCrc(bad, params);
        assertContains("regParam", rejected(bad));

        // user labels: count(4) freq(8) [len(4) 'a'] [len(4) 'b']
        Sec users = section(good, ModelFormat.USER_LABELS);
        int bAt = users.payload() + 4 + 8 + 5 + 4;
        assertEquals('b', good[bAt]);
        bad = good.clone();
        bad[bAt] = 'a';
        fixCrc(bad, users);
        assertContains("duplicate label", rejected(bad));
        for (byte invalid : new byte[] {(byte) 0xC0, (byte) 0xFF, (byte) 0x80, (byte) 0xED}) {
            bad = good.clone();
            bad[bAt] = invalid;
            fixCrc(bad, users);
            assertContains("not valid UTF-8", rejected(bad));
        }
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(users.payload() + 4, -3);
        fixCrc(bad, users);
        assertContains("negative frequency", rejected(bad));

        Sec presence = section(good, ModelFormat.ITEM_PRESENCE);
        bad = good.clone();
        bad[presence.payload() + 4] |= 1 << 5; // item 5 of 3
        fixCrc(bad, presence);
        assertContains("beyond", rejected(bad));

        // seen: rows(4) cols(4) nnz(4) rowPtr[3] colIdx[3]
        Sec s = section(good, ModelFormat.SEEN);
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + 24, 3); // colIdx[0] = cols
        fixCrc(bad, s);
        assertContains("outside [0, 3)", rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + 16, 5); // rowPtr[1] > nnz
        fixCrc(bad, s);
        rejected(bad);
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + 24, 2)
            .putInt(s.payload() + 28, 0); // row 0 columns 2, 0: unsorted
        fixCrc(bad, s);
        assertContains("not sorted", rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload(), 3); // 3 rows, 2 users
        fixCrc(bad, s);
        assertContains("expected 2 × 3", rejected(bad));
    }

    /** Byte offset of every label's UTF-8 bytes in a label section. */
    private static int[] labelOffsets(byte[] file, Sec s) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(s.payload());
        int[] at = new int[n];
        int p = s.payload() + 4 + 4 * n;
        for (int i = 0; i < n; i++) {
            int len = b.getInt(p);
            at[i] = p + 4;
            p += 4 + len;
        }
        assertEquals(s.payload() + s.length(), p);
        return at;
    }

    @Test
    void largeLabelSectionsAreCheckedAsStrictly() throws IOException {
        // enough labels for the parallel decoding and background indexing path
        int n = 40_000;
        String[] items = new String[n];
        for (int i = 0; i < n; i++) {
            items[i] = String.format("item-%06d", i);
        }
        items[n - 1] = "item-ß\ufffd"; // a genuine replacement character is valid
        byte[] good = tiny(new String[] {"u"}, items, null);
        AlsModel loaded = ModelStore.load(dir.resolve("tiny.encore")).model();
        assertArrayEquals(items, loaded.items().labels());
        assertEquals(n - 1, loaded.items().indexOf("item-ß\ufffd"));

        Sec s = section(good, ModelFormat.ITEM_LABELS);
        int[] at = labelOffsets(good, s);
        for (int[] dup : new int[][] {{30_000, 29_999}, {35_000, 5}, {1, 0}, {n - 2, n - 3}}) {
            byte[] bad = good.clone();
            System.arraycopy(good, at[dup[1]], bad, at[dup[0]], 11);
            fixCrc(bad, s);
            assertContains("duplicate label", rejected(bad));
        }
        for (int i : new int[] {0, 20_000, n - 2}) {
            byte[] bad = good.clone();
            bad[at[i] + 3] = (byte) 0xFF;
            fixCrc(bad, s);
            assertContains("label " + i + " is not valid UTF-8", rejected(bad));
        }
    }

    @Test
    void sectionStructureIsEnforced() throws IOException {
        byte[] good = sample(18, 8, 9, 3);
        Sec end = section(good, ModelFormat.END);
        Sec params = section(good, ModelFormat.PARAMS);
        Sec itemFactors = section(good, ModelFormat.ITEM_FACTORS);

        // skippable unknown sections are ignored wherever they are
        byte[] ext = encodeSection(ModelFormat.SKIPPABLE | 0x42, "future data".getBytes(StandardCharsets.UTF_8));
        byte[] withExt = splice(splice(good, end.start(), ext, 0), params.end(), ext, 0);
        Path f = dir.resolve("ext.encore");
        Files.write(f, withExt);
        Files.write(dir.resolve("plain.encore"), good);
        assertModelEquals(ModelStore.load(dir.resolve("plain.encore")).model(), ModelStore.load(f).model());
        // ... but still checksummed
        byte[] extBad = withExt.clone();
        extBad[params.end() + 14] ^= 1;
        assertContains("checksum mismatch", rejected(extBad));
        // unknown mandatory sections are not
        byte[] mandatory = encodeSection(0x42, new byte[8]);
        assertContains("cannot be skipped", rejected(splice(good, end.start(), mandatory, 0)));
        // a repeated, a missing and a misplaced section
        byte[] paramsBytes = Arrays.copyOfRange(good, params.start(), params.end());
        assertContains("out of order or repeated", rejected(splice(good, end.start(), paramsBytes, 0)));
        assertContains("'item factors' was expected",
            rejected(splice(good, itemFactors.start(), new byte[0], itemFactors.end() - itemFactors.start())));
        assertContains("is missing",
            rejected(splice(good, params.start(), new byte[0], end.start() - params.start())));
        // anything after the end marker
        assertContains("after the end marker", rejected(splice(good, good.length, new byte[] {0}, 0)));
        assertContains("after the end marker",
            rejected(splice(good, good.length, Arrays.copyOfRange(good, end.start(), end.end()), 0)));
    }

    @Test
    void initialisationSectionIsOptionalButChecked() throws IOException {
        byte[] good = sample(21, 8, 9, 3);
        Sec init = section(good, ModelFormat.V1_INIT);
        Sec params = section(good, ModelFormat.PARAMS);
        Sec end = section(good, ModelFormat.END);
        AlsParams written = load(good).params();
        // a file from before the section existed: Encore's initialisation, 10 blocks
        AlsParams old = load(splice(good, init.start(), new byte[0], init.end() - init.start())).params();
        assertEquals(written.toBuilder().init(AlsParams.Init.ENCORE).numBlocks(10).build(), old);
        byte[] initBytes = Arrays.copyOfRange(good, init.start(), init.end());
        assertContains("right after section 'params'", rejected(splice(good, end.start(), initBytes, 0)));
        assertContains("right after section 'params'", rejected(splice(good, init.end(), initBytes, 0)));
        assertContains("right after section 'params'",
            rejected(splice(splice(good, init.start(), new byte[0], init.end() - init.start()), params.start(),
                initBytes, 0)));
        assertContains("unknown initialisation code 7",
            rejected(splice(good, init.start(), encodeSection(ModelFormat.V1_INIT, new byte[] {7, 10, 0, 0, 0}),
                init.end() - init.start())));
        assertContains("numBlocks 0 is not >= 1",
            rejected(splice(good, init.start(), encodeSection(ModelFormat.V1_INIT, new byte[] {1, 0, 0, 0, 0}),
                init.end() - init.start())));
        assertContains("expected 5",
            rejected(splice(good, init.start(), encodeSection(ModelFormat.V1_INIT, new byte[] {1, 10, 0, 0}),
                init.end() - init.start())));
    }

    private AlsModel load(byte[] file) throws IOException {
        Path f = dir.resolve("init.encore");
        Files.write(f, file);
        return ModelStore.load(f).model();
    }

    // ------------------------------------------------------------------------------------------- atomicity

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> temps = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))
                .collect(Collectors.toList());
            assertTrue(temps.isEmpty(), () -> "temporary files left: " + temps);
        }
    }

    private static UnaryOperator<OutputStream> failAfter(long bytes, boolean unchecked) {
        return os -> new FilterOutputStream(os) {
            private long count;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (count + len > bytes) {
                    if (unchecked) {
                        throw new IllegalStateException("simulated crash");
                    }
                    throw new IOException("No space left on device (simulated)");
                }
                count += len;
                out.write(b, off, len);
            }
        };
    }

    @Test
    void failedSavesKeepThePreviousFileAndLeaveNoTemporaryFiles() throws IOException {
        SplittableRandom rnd = new SplittableRandom(19);
        AlsModel a = model(rnd, 40, 60, 8);
        AlsModel b = model(rnd, 50, 70, 9);
        Path f = dir.resolve("model.encore");
        ModelStore.save(f, a, null, Map.of("v", "a"));
        byte[] before = Files.readAllBytes(f);

        for (long at : new long[] {0, 16, 100, 1000, 5000, before.length - 1}) {
            assertThrows(IOException.class, () -> ModelStore.save(f, b, null, Map.of("v", "b"), failAfter(at, false)));
            assertThrows(IllegalStateException.class,
                () -> ModelStore.save(f, b, null, Map.of("v", "b"), failAfter(at, true)));
            assertArrayEquals(before, Files.readAllBytes(f));
            assertNoTempFiles();
        }
        // rejected input: nothing written at all
        assertThrows(IllegalArgumentException.class, () -> ModelStore.save(f, b, null, Map.of("v", "\udfff")));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertNoTempFiles();
        assertEquals(Map.of("v", "a"), ModelStore.load(f).metadata());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()));
        }
    }

    @Test
    void savingUnderAFileFailsCleanly() throws IOException {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "not a directory");
        AlsModel m = model(new SplittableRandom(20), 4, 5, 2);
        assertThrows(IOException.class, () -> ModelStore.save(blocker.resolve("model.encore"), m, null, null));
        assertEquals("not a directory", Files.readString(blocker));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(blocker), s.collect(Collectors.toList()));
        }
    }

    @Test
    void savingIntoAReadOnlyDirectoryFailsCleanly() throws IOException {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        Path f = ro.resolve("model.encore");
        AlsModel m = model(new SplittableRandom(21), 4, 5, 2);
        ModelStore.save(f, m, null, null);
        byte[] before = Files.readAllBytes(f);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "running with privileges that ignore directory permissions");
            assertThrows(IOException.class, () -> ModelStore.save(f, model(new SplittableRandom(22), 3, 3, 1),
                null, null));
            assertArrayEquals(before, Files.readAllBytes(f));
            try (Stream<Path> s = Files.list(ro)) {
                assertEquals(List.of(f), s.collect(Collectors.toList()));
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
