package encore.als.io;

import encore.als.AlsModel;
import encore.als.Recommendations;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The committed golden files ({@code src/test/resources/models/}, see the README there) load to exactly the
 * {@link GoldenModels} they were written from, and recommend exactly as those models do.
 */
class GoldenFilesTest {
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
        assertExactly(GoldenModels.EXPLICIT_PARAMS.toMap(), GoldenModels.EXPLICIT_USER_FACTORS,
            GoldenModels.EXPLICIT_ITEM_FACTORS, st.model());
        assertNull(st.seen());
        assertEquals(Map.of("created-by", "encore 0.1.0 (golden test file)"), st.metadata());
        assertRecommendsAs(GoldenModels.explicit(), st.model(), null);
    }

    @Test
    void implicitFileOfEncore010LoadsExactly() throws IOException {
        ModelStore.Stored st = ModelStore.load(resource("encore-0.1.0-implicit.encore"));
        assertExactly(GoldenModels.IMPLICIT_PARAMS.toMap(), GoldenModels.IMPLICIT_USER_FACTORS,
            GoldenModels.IMPLICIT_ITEM_FACTORS, st.model());
        assertSeen(st.seen());
        assertEquals(GoldenModels.implicitMetadata(), st.metadata());
        assertEquals(List.of("", "created-by", "empty value", "source"), List.copyOf(st.metadata().keySet()));
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
        assertRecsEqual(want.recommendForAllUsers(GoldenModels.ITEMS, null), got.recommendForAllUsers(
            GoldenModels.ITEMS, null));
        if (seen != null) {
            assertRecsEqual(want.recommendForAllUsers(3, GoldenModels.seen()), got.recommendForAllUsers(3, seen));
        }
        assertRecsEqual(want.recommendForAllItems(GoldenModels.USERS, null), got.recommendForAllItems(
            GoldenModels.USERS, null));
        for (int i = 0; i < GoldenModels.ITEMS; i++) {
            assertRecsEqual(want.similarItems(i, 4), got.similarItems(i, 4));
        }
    }

    static void assertRecsEqual(Recommendations x, Recommendations y) {
        assertEquals(x.rows(), y.rows());
        for (int q = 0; q < x.rows(); q++) {
            assertArrayEquals(x.ids(q), y.ids(q));
            assertArrayEquals(bits(x.scores(q)), bits(y.scores(q)));
        }
    }

    static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}
