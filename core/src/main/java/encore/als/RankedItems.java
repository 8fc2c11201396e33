package encore.als;

import java.util.Arrays;

/**
 * One ranked list: item indices best first with their scores (score descending, then item index descending — Spark's
 * order, as every list in Encore). Immutable; the accessors return copies.
 */
public final class RankedItems {
    private final int[] items;
    private final float[] scores;

    /**
     * A list from its arrays (copied), best first.
     *
     * @throws IllegalArgumentException when the lengths differ
     */
    public static RankedItems of(int[] items, float[] scores) {
        if (items.length != scores.length) {
            throw new IllegalArgumentException(items.length + " items but " + scores.length + " scores");
        }
        return new RankedItems(items.clone(), scores.clone());
    }

    RankedItems(int[] items, float[] scores) {
        this.items = items;
        this.scores = scores;
    }

    /** The number of entries. */
    public int size() {
        return items.length;
    }

    /** The item index at rank {@code r} (0 = best). */
    public int item(int r) {
        return items[r];
    }

    /** The score at rank {@code r}. */
    public float score(int r) {
        return scores[r];
    }

    /** The item indices, best first. */
    public int[] items() {
        return items.clone();
    }

    /** The scores, best first. */
    public float[] scores() {
        return scores.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RankedItems r && Arrays.equals(items, r.items) && Arrays.equals(scores, r.scores);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(items) + Arrays.hashCode(scores);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("RankedItems[");
        for (int r = 0; r < items.length; r++) {
            b.append(r == 0 ? "" : ", ").append(items[r]).append('=').append(scores[r]);
        }
        return b.append(']').toString();
    }
}
