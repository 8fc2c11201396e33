package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The hand-built models behind the golden files in {@code src/test/resources/models/} (see the README there): 5 users
 * × 7 items at rank 3, user 4 and item 6 cold (zero rows, not present), labels with non-ASCII characters, a TAB, a
 * comma, quotes and the empty string. Every value here is literal, so the golden-file tests can assert exact values.
 * Changing anything in this class breaks the committed files: never edit it, add a new model instead.
 */
final class GoldenModels {
    static final int RANK = 3;
    static final int USERS = 5;
    static final int ITEMS = 7;
    static final int COLD_USER = 4;
    static final int COLD_ITEM = 6;

    static final String[] USER_LABELS = {"alice", "Björk,fan", "tab\tuser", "🎵 listener", "cold-user ß"};
    static final int[] USER_FREQUENCIES = {9, 7, 7, 3, 0};
    static final String[] ITEM_LABELS = {"Sigur Rós", "坂本龍一", "a,b", "x\ty", "\"quoted\"", "", "cold item 音"};
    static final int[] ITEM_FREQUENCIES = {12, 8, 5, 5, 2, 1, 0};

    static final AlsParams EXPLICIT_PARAMS = AlsParams.builder()
            .rank(RANK)
            .maxIter(7)
            .regParam(0.05)
            .implicitPrefs(false)
            .nonnegative(true)
            .seed(42)
            .solver(AlsParams.Solver.CHOLESKY)
            .cgSteps(3)
            .coldStartStrategy(AlsParams.ColdStartStrategy.DROP)
            .init(AlsParams.Init.ENCORE)
            .numBlocks(10)
            .build();

    /** {@code --init spark} style: Spark's draws over 4 blocks, the CG solver, a negative seed. */
    static final AlsParams IMPLICIT_PARAMS = AlsParams.builder()
            .rank(RANK)
            .maxIter(15)
            .regParam(0.01)
            .implicitPrefs(true)
            .alpha(40.0)
            .nonnegative(false)
            .seed(-7)
            .solver(AlsParams.Solver.CG)
            .cgSteps(5)
            .coldStartStrategy(AlsParams.ColdStartStrategy.NAN)
            .init(AlsParams.Init.SPARK)
            .numBlocks(4)
            .build();

    static final float[] EXPLICIT_USER_FACTORS = {
        0.5f, 0.25f, 1.0f,
        0.1f, 0.2f, 0.3f,
        0.0f, Float.MIN_VALUE, 2.5f,
        1.5f, 1.0e-3f, 0.75f,
        0f, 0f, 0f
    };
    static final float[] EXPLICIT_ITEM_FACTORS = {
        0.9f, 0.1f, 0.4f,
        0.3f, 0.8f, 0.2f,
        0.0f, 0.5f, 0.5f,
        0.05f, 0.6f, 1.2f,
        1.0f, 1.0f, 1.0f,
        3.0e-8f, 2.0f, 0.125f,
        0f, 0f, 0f
    };
    static final float[] IMPLICIT_USER_FACTORS = {
        -0.0f, 0.7f, -1.25f, 0.333f, -0.5f, 0.01f, 1.0e-20f, 0.6f, 0.6f, -2.0f, 0.125f, 0.9f, 0f, 0f, 0f
    };
    static final float[] IMPLICIT_ITEM_FACTORS = {
        0.2f,
        -0.3f,
        0.4f,
        -0.7f,
        0.05f,
        1.1f,
        0.6f,
        0.6f,
        -0.6f,
        1.5f,
        -Float.MIN_NORMAL,
        0.0f,
        -0.1f,
        -0.2f,
        -0.3f,
        0.45f,
        0.55f,
        0.65f,
        0f,
        0f,
        0f
    };

    /** The implicit model's training entries, users × items (users 0–3 only; item 6 never seen). */
    static final int[] SEEN_ROW_PTR = {0, 3, 5, 6, 9, 9};

    static final int[] SEEN_COL_IDX = {0, 1, 4, 0, 2, 3, 1, 3, 5};

    private GoldenModels() {}

    static AlsModel explicit() {
        return model(EXPLICIT_PARAMS, EXPLICIT_USER_FACTORS, EXPLICIT_ITEM_FACTORS);
    }

    static AlsModel implicit() {
        return model(IMPLICIT_PARAMS, IMPLICIT_USER_FACTORS, IMPLICIT_ITEM_FACTORS);
    }

    static Map<String, String> explicitMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("created-by", "encore 0.1.0 (golden test file)");
        return m;
    }

    static Map<String, String> implicitMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("created-by", "encore 0.1.0 (golden test file)");
        m.put("source", "listenings, ß\t🎵.csv");
        m.put("", "empty key");
        m.put("empty value", "");
        return m;
    }

    /** The training counts of {@link #seenCounts()}, one per seen entry (row by row). */
    static final float[] SEEN_COUNTS = {3f, 1f, 7f, 2f, 0.5f, 12f, 1f, 250f, 4f};

    /** The implicit model's seen matrix with {@link #SEEN_COUNTS} as its values (the counts file). */
    static Csr seenCounts() {
        return new Csr(USERS, ITEMS, SEEN_ROW_PTR.clone(), SEEN_COL_IDX.clone(), SEEN_COUNTS.clone());
    }

    /** The implicit model's seen matrix, values 1.0 (the files without a seen counts section). */
    static Csr seen() {
        float[] ones = new float[SEEN_COL_IDX.length];
        Arrays.fill(ones, 1f);
        return new Csr(USERS, ITEMS, SEEN_ROW_PTR.clone(), SEEN_COL_IDX.clone(), ones);
    }

    private static AlsModel model(AlsParams p, float[] users, float[] items) {
        return new AlsModel(
                p,
                LabelIndex.ofOrdered(USER_LABELS, USER_FREQUENCIES),
                LabelIndex.ofOrdered(ITEM_LABELS, ITEM_FREQUENCIES),
                Factors.wrap(users.clone(), USERS, RANK, allBut(USERS, COLD_USER)),
                Factors.wrap(items.clone(), ITEMS, RANK, allBut(ITEMS, COLD_ITEM)));
    }

    private static BitSet allBut(int n, int cold) {
        BitSet b = new BitSet();
        b.set(0, n);
        b.clear(cold);
        return b;
    }
}
