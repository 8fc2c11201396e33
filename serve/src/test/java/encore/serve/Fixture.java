package encore.serve;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelStore;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;

/**
 * A model small enough to check by hand: explicit ALS, rank 2, regParam 1.5. Items a (1, 0), b (0, 1), c (1, 1),
 * d (2, −1), e (no factors), f (−1, 0.5); users alice (1, 2) who played a 4 times and b 8 times, bob (0.5, −1) who
 * played c once and d twice, carol (no factors, no plays).
 *
 * <p>alice's scores: a 1, b 2, c 3, d 0, f 0 — so her list is c, b, a, f, d (ties: item index descending). Folding in
 * plays a:4, b:8 solves (YᵀY + λ·n·I) x = Yᵀr with YᵀY = I and λ·n = 3: 4·x = (4, 8), x = (1, 2) — alice again.
 * Explaining c for her: w = A⁻¹ y_c = (¼, ¼), contributions a 4·¼ = 1 and b 8·¼ = 2, shares ⅓ and ⅔, score 3.
 */
final class Fixture {
    private Fixture() {}

    static final String[] USERS = {"alice", "bob", "carol"};
    static final String[] ITEMS = {"a", "b", "c", "d", "e", "f"};

    /** The model above with the user factors given (alice's, bob's). */
    static AlsModel model(float[] alice, float[] bob) {
        AlsParams params = AlsParams.builder().rank(2).regParam(1.5).build();
        BitSet users = new BitSet();
        users.set(0, 2);
        float[] u = {alice[0], alice[1], bob[0], bob[1], 0, 0};
        BitSet items = new BitSet();
        items.set(0, 4);
        items.set(5);
        float[] y = {1, 0, 0, 1, 1, 1, 2, -1, 0, 0, -1, 0.5f};
        return new AlsModel(
                params,
                LabelIndex.ofOrdered(USERS, new int[] {2, 2, 0}),
                LabelIndex.ofOrdered(ITEMS, new int[] {1, 1, 1, 1, 0, 0}),
                Factors.wrap(u, 3, 2, users),
                Factors.wrap(y, 6, 2, items));
    }

    static AlsModel model() {
        return model(new float[] {1, 2}, new float[] {0.5f, -1});
    }

    /** alice: a 4, b 8; bob: c 1, d 2; carol: nothing. */
    static Csr seen() {
        return new Csr(3, 6, new int[] {0, 2, 4, 4}, new int[] {0, 1, 2, 3}, new float[] {4, 8, 1, 2});
    }

    /** Writes {@link #model()} with its training items and counts to {@code file} (atomically). */
    static Path save(Path file) throws IOException {
        return save(file, model());
    }

    static Path save(Path file, AlsModel model) throws IOException {
        ModelStore.save(file, model, seen(), true, Map.of("source", "Fixture"));
        return file;
    }
}
