package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static encore.als.io.RandomModels.assertModelEquals;
import static encore.als.io.RandomModels.assertRecsEqual;
import static encore.als.io.RandomModels.metadata;
import static encore.als.io.RandomModels.model;
import static encore.als.io.RandomModels.seen;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * {@link ModelStore}: bit-exact round trips of random models (also through format 1, and re-saved byte for byte),
 * saves rejected before anything is written, and failed saves that leave the previous file and no temporary files
 * behind. Damaged and foreign files are {@link ModelReaderTest}'s.
 */
class ModelStoreTest {
    @TempDir
    Path dir;

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
        assertEquals(
                List.copyOf(new TreeSet<>(meta.keySet())),
                List.copyOf(st.metadata().keySet()));

        assertRecsEqual(m.recommendForAllUsers(5, null), a.recommendForAllUsers(5, null));
        if (seen == null) {
            assertNull(st.seen());
        } else {
            Csr s = st.seen();
            assertEquals(seen.rows(), s.rows());
            assertEquals(seen.cols(), s.cols());
            assertArrayEquals(seen.rowPtr(), s.rowPtr());
            assertArrayEquals(seen.colIdx(), s.colIdx());
            assertTrue(st.seenCounts());
            assertArrayEquals(seen.values(), s.values()); // the training counts, exactly
            assertRecsEqual(m.recommendForAllUsers(5, seen), a.recommendForAllUsers(5, s));
        }
        // deterministic: the same model saves to the same bytes
        Path g = dir.resolve("again.encore");
        ModelStore.save(g, a, st.seen(), st.metadata());
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
        assertNoTempFiles();

        // the same model in format 1 (as Encore 0.1.0 wrote it) loads to the same model and re-saves to these bytes
        byte[] v1 = ModelFiles.toVersion1(Files.readAllBytes(f), m.params());
        ModelStore.Stored old = new ModelFiles(dir).load(v1);
        assertModelEquals(m, old.model());
        assertEquals(meta, old.metadata());
        ModelStore.save(g, old.model(), old.seen(), old.seenCounts(), old.metadata());
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
    }

    @Test
    void emptyModelRoundTrips() throws IOException {
        AlsParams p = AlsParams.builder().rank(3).build();
        LabelIndex none = LabelIndex.ofOrdered(new String[0], new int[0]);
        AlsModel m = new AlsModel(
                p,
                none,
                none,
                Factors.wrap(new float[0], 0, 3, new BitSet()),
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

    // ------------------------------------------------------------------------------------------- atomicity

    private void assertNoTempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> temps = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".tmp"))
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
            assertThrows(
                    IllegalStateException.class,
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

    /**
     * The root-proof half of the read-only test below: a non-empty directory holds the model's name, which no
     * privilege lets a file replace. The save fails naming the path, the directory and its content stay, and no
     * temporary file is left beside it.
     */
    @Test
    void savingOverADirectoryFailsCleanlyWhateverThePrivileges() throws IOException {
        Path f = dir.resolve("held.encore");
        Path kept = Files.writeString(Files.createDirectories(f).resolve("kept.txt"), "kept");
        IOException e = assertThrows(
                IOException.class, () -> ModelStore.save(f, model(new SplittableRandom(23), 3, 3, 1), null, null));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertEquals("kept", Files.readString(kept));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.collect(Collectors.toList()));
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
            assertThrows(
                    IOException.class, () -> ModelStore.save(f, model(new SplittableRandom(22), 3, 3, 1), null, null));
            assertArrayEquals(before, Files.readAllBytes(f));
            try (Stream<Path> s = Files.list(ro)) {
                assertEquals(List.of(f), s.collect(Collectors.toList()));
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }
}
