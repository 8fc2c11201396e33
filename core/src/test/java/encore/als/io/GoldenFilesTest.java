package encore.als.io;

import encore.als.AlsModel;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static encore.als.io.RandomModels.assertRecsEqual;
import static encore.als.io.RandomModels.bits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed golden files ({@code src/test/resources/models/}, see the README there) load to exactly the
 * {@link GoldenModels} they were written from and recommend exactly as those models do; the files Encore 0.1.0 wrote
 * (format 1) re-save to exactly the format-2 golden files, which are exactly what saving the models writes today;
 * damaged copies of the 0.1.0 files are rejected.
 */
class GoldenFilesTest {
    @TempDir
    Path dir;

    private static final String[] KINDS = {"explicit", "implicit"};

    static byte[] golden(String name) throws IOException {
        return Files.readAllBytes(resource(name));
    }

    private byte[] saved(String kind) throws IOException {
        Path f = dir.resolve("saved.encore");
        if (kind.equals("explicit")) {
            ModelStore.save(f, GoldenModels.explicit(), null, GoldenModels.explicitMetadata());
        } else {
            ModelStore.save(f, GoldenModels.implicit(), GoldenModels.seen(), false, GoldenModels.implicitMetadata());
        }
        return Files.readAllBytes(f);
    }

    private byte[] resaved(Path file) throws IOException {
        ModelStore.Stored st = ModelStore.load(file);
        Path f = dir.resolve("resaved.encore");
        ModelStore.save(f, st.model(), st.seen(), st.seenCounts(), st.metadata());
        return Files.readAllBytes(f);
    }

    @Test
    void theFormat2FilesAreWhatSavingWritesToday() throws IOException {
        for (String kind : KINDS) {
            assertArrayEquals(golden("format-2-" + kind + ".encore"), saved(kind), kind);
        }
    }

    @Test
    void theSeenCountsFileIsWhatSavingWritesToday() throws IOException {
        Path f = dir.resolve("counts.encore");
        ModelStore.save(f, GoldenModels.implicit(), GoldenModels.seenCounts(), GoldenModels.implicitMetadata());
        assertArrayEquals(golden("format-2-implicit-counts.encore"), Files.readAllBytes(f));
        assertArrayEquals(Files.readAllBytes(f), resaved(f));
    }

    @Test
    void theSeenCountsFileLoadsItsCountsAndTheOlderFilesLoadOnes() throws IOException {
        ModelStore.Stored st = ModelStore.load(resource("format-2-implicit-counts.encore"));
        assertTrue(st.seenCounts());
        assertExactly(
                GoldenModels.IMPLICIT_PARAMS.toMap(),
                GoldenModels.IMPLICIT_USER_FACTORS,
                GoldenModels.IMPLICIT_ITEM_FACTORS,
                st.model());
        assertArrayEquals(GoldenModels.SEEN_ROW_PTR, st.seen().rowPtr());
        assertArrayEquals(GoldenModels.SEEN_COL_IDX, st.seen().colIdx());
        assertArrayEquals(GoldenModels.SEEN_COUNTS, st.seen().values());
        for (String name : List.of("format-2-implicit.encore", "encore-0.1.0-implicit.encore")) {
            ModelStore.Stored old = ModelStore.load(resource(name));
            assertEquals(false, old.seenCounts(), name);
            assertSeen(old.seen());
        }
    }

    @Test
    void theTestsFormat1WriterIsByteForByteEncore010s() throws IOException {
        assertArrayEquals(
                golden("encore-0.1.0-explicit.encore"),
                ModelFiles.toVersion1(saved("explicit"), GoldenModels.EXPLICIT_PARAMS));
        assertArrayEquals(
                golden("encore-0.1.0-implicit.encore"),
                ModelFiles.toVersion1(saved("implicit"), GoldenModels.IMPLICIT_PARAMS));
    }

    @Test
    void reSavingALoadedFileIsByteStable() throws IOException {
        for (String kind : KINDS) {
            byte[] once = resaved(resource("encore-0.1.0-" + kind + ".encore"));
            assertArrayEquals(golden("format-2-" + kind + ".encore"), once, kind);
            Path f = dir.resolve("once.encore");
            Files.write(f, once);
            assertArrayEquals(once, resaved(f), kind);
            assertArrayEquals(once, resaved(resource("format-2-" + kind + ".encore")), kind);
        }
    }

    @Test
    void format2FilesLoadExactly() throws IOException {
        ModelStore.Stored ex = ModelStore.load(resource("format-2-explicit.encore"));
        assertExactly(
                GoldenModels.EXPLICIT_PARAMS.toMap(),
                GoldenModels.EXPLICIT_USER_FACTORS,
                GoldenModels.EXPLICIT_ITEM_FACTORS,
                ex.model());
        assertNull(ex.seen());
        assertEquals(GoldenModels.explicitMetadata(), ex.metadata());
        assertRecommendsAs(GoldenModels.explicit(), ex.model(), null);
        ModelStore.Stored im = ModelStore.load(resource("format-2-implicit.encore"));
        assertExactly(
                GoldenModels.IMPLICIT_PARAMS.toMap(),
                GoldenModels.IMPLICIT_USER_FACTORS,
                GoldenModels.IMPLICIT_ITEM_FACTORS,
                im.model());
        assertSeen(im.seen());
        assertEquals(GoldenModels.implicitMetadata(), im.metadata());
        assertRecommendsAs(GoldenModels.implicit(), im.model(), im.seen());
    }

    @Test
    void damagedEncore010FilesAreRejected() throws IOException {
        ModelFiles files = new ModelFiles(dir);
        for (String kind : KINDS) {
            byte[] good = golden("encore-0.1.0-" + kind + ".encore");
            for (int cut = 0; cut < good.length; cut++) {
                ModelFormatException e = files.rejected(Arrays.copyOf(good, cut));
                assertTrue(e.getMessage().matches(".*(truncated|empty file).*"), e.getMessage());
            }
            for (int p = 0; p < good.length; p++) {
                byte[] bad = good.clone();
                bad[p] ^= (byte) (1 << (p % 8));
                files.rejected(bad);
            }
            for (ModelFiles.Sec s : ModelFiles.sections(good)) {
                for (int p = s.payload(); p < s.payload() + s.length(); p += 3) {
                    byte[] bad = good.clone();
                    bad[p] ^= 0x40;
                    ModelFiles.assertContains("checksum mismatch in section", files.rejected(bad));
                }
            }
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(GoldenFilesTest.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void explicitFileOfEncore010LoadsExactly() throws IOException {
        ModelStore.Stored st = ModelStore.load(resource("encore-0.1.0-explicit.encore"));
        assertExactly(
                GoldenModels.EXPLICIT_PARAMS.toMap(),
                GoldenModels.EXPLICIT_USER_FACTORS,
                GoldenModels.EXPLICIT_ITEM_FACTORS,
                st.model());
        assertNull(st.seen());
        assertEquals(Map.of("created-by", "encore 0.1.0 (golden test file)"), st.metadata());
        assertRecommendsAs(GoldenModels.explicit(), st.model(), null);
    }

    @Test
    void implicitFileOfEncore010LoadsExactly() throws IOException {
        ModelStore.Stored st = ModelStore.load(resource("encore-0.1.0-implicit.encore"));
        assertExactly(
                GoldenModels.IMPLICIT_PARAMS.toMap(),
                GoldenModels.IMPLICIT_USER_FACTORS,
                GoldenModels.IMPLICIT_ITEM_FACTORS,
                st.model());
        assertSeen(st.seen());
        assertEquals(GoldenModels.implicitMetadata(), st.metadata());
        assertEquals(
                List.of("", "created-by", "empty value", "source"),
                List.copyOf(st.metadata().keySet()));
        assertRecommendsAs(GoldenModels.implicit(), st.model(), st.seen());
    }

    /** Every value, compared with literals (the params as their key/value form, so a mismatch names the key). */
    static void assertExactly(Map<String, String> params, float[] users, float[] items, AlsModel m) {
        assertEquals(params, m.params().toMap());
        assertEquals(GoldenModels.RANK, m.rank());
        assertArrayEquals(GoldenModels.USER_LABELS, m.users().labels());
        assertArrayEquals(GoldenModels.ITEM_LABELS, m.items().labels());
        for (int u = 0; u < GoldenModels.USERS; u++) {
            assertEquals(GoldenModels.USER_FREQUENCIES[u], m.users().frequency(u));
            assertEquals(u != GoldenModels.COLD_USER, m.hasUser(u));
            assertEquals(u, m.users().indexOf(GoldenModels.USER_LABELS[u]));
        }
        for (int i = 0; i < GoldenModels.ITEMS; i++) {
            assertEquals(GoldenModels.ITEM_FREQUENCIES[i], m.items().frequency(i));
            assertEquals(i != GoldenModels.COLD_ITEM, m.hasItem(i));
            assertEquals(i, m.items().indexOf(GoldenModels.ITEM_LABELS[i]));
        }
        assertFactors(users, GoldenModels.USERS, m.userFactors());
        assertFactors(items, GoldenModels.ITEMS, m.itemFactors());
    }

    private static void assertFactors(float[] want, int rows, Factors f) {
        assertEquals(rows, f.rows());
        assertEquals(GoldenModels.RANK, f.rank());
        assertArrayEquals(bits(want), bits(f.data()));
    }

    static void assertSeen(Csr seen) {
        assertEquals(GoldenModels.USERS, seen.rows());
        assertEquals(GoldenModels.ITEMS, seen.cols());
        assertArrayEquals(GoldenModels.SEEN_ROW_PTR, seen.rowPtr());
        assertArrayEquals(GoldenModels.SEEN_COL_IDX, seen.colIdx());
        for (float v : seen.values()) {
            assertEquals(1.0f, v);
        }
    }

    /** Predictions, both kinds of top-k lists and similar items, bit for bit. */
    static void assertRecommendsAs(AlsModel want, AlsModel got, Csr seen) {
        for (int u = 0; u < GoldenModels.USERS; u++) {
            for (int i = 0; i < GoldenModels.ITEMS; i++) {
                assertEquals(Float.floatToRawIntBits(want.predict(u, i)), Float.floatToRawIntBits(got.predict(u, i)));
            }
        }
        assertRecsEqual(
                want.recommendForAllUsers(GoldenModels.ITEMS, null),
                got.recommendForAllUsers(GoldenModels.ITEMS, null));
        if (seen != null) {
            assertRecsEqual(want.recommendForAllUsers(3, GoldenModels.seen()), got.recommendForAllUsers(3, seen));
        }
        assertRecsEqual(
                want.recommendForAllItems(GoldenModels.USERS, null),
                got.recommendForAllItems(GoldenModels.USERS, null));
        for (int i = 0; i < GoldenModels.ITEMS; i++) {
            assertRecsEqual(want.similarItems(i, 4), got.similarItems(i, 4));
        }
    }
}
