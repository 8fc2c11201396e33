package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.LabelIndex;
import encore.matrix.Factors;

import java.util.BitSet;

/**
 * A hand-made model for the export tests: 3 users × 6 items at rank 2, user 2 and item 3 without factors, labels with
 * commas, quotes, a line break, CR LF, a TAB, a backslash, LS (U+2028), non-ASCII, an emoji and surrounding spaces.
 * Every factor is a small binary fraction, so dot products are exact in float32 whatever the summation order.
 */
final class ExportModels {
    static final String[] USERS = {"alice", "bob, \"the\" builder", "cold\nuser"};
    static final String[] ITEMS = {
        "a,b", "tab\there", "line1\r\nline2 \u2028 é🎵", "cold item", " spaced ", "back\\slash"
    };
    static final float[] USER_FACTORS = {1f, 0.5f, -2f, 0.25f, 0f, 0f};
    static final float[] ITEM_FACTORS = {0.5f, 1f, 1f, -1f, 0.125f, 4f, 0f, 0f, 3f, 0.75f, -0.5f, 2f};

    private ExportModels() {}

    static AlsModel model() {
        return model(USERS, ITEMS);
    }

    static AlsModel model(String[] users, String[] items) {
        BitSet u = new BitSet();
        u.set(0, 2);
        BitSet i = new BitSet();
        i.set(0, 6);
        i.clear(3);
        return new AlsModel(
                AlsParams.builder().rank(2).maxIter(3).regParam(0.5).seed(7).build(),
                LabelIndex.ofOrdered(users, new int[] {3, 2, 0}),
                LabelIndex.ofOrdered(items, new int[] {2, 1, 1, 0, 1, 1}),
                Factors.copyOf(USER_FACTORS, 3, 2, u),
                Factors.copyOf(ITEM_FACTORS, 6, 2, i));
    }
}
