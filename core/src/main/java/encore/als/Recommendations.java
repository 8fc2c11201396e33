package encore.als;

import java.util.Arrays;

/**
 * Top-k lists for a set of query rows (users, or items): row {@code q} holds {@link #count(int)} ids, best first, with
 * their scores. Rows without factors (cold) have no list. Immutable.
 */
public final class Recommendations {
    private final int k;
    private final int[] ids;
    private final float[] scores;
    private final int[] counts;

    /**
     * Lists in row-major slots of {@code k}: row {@code q}'s ids and scores at {@code [q·k, q·k + counts[q])}.
     *
     * @throws IllegalArgumentException when the arrays do not fit {@code k} and the counts
     */
    public static Recommendations of(int k, int[] ids, float[] scores, int[] counts) {
        if (k < 1 || ids.length != scores.length || ids.length != (long) counts.length * k) {
            throw new IllegalArgumentException("lists do not fit " + counts.length + " rows of " + k);
        }
        for (int c : counts) {
            if (c < 0 || c > k) {
                throw new IllegalArgumentException("list length " + c + " outside 0 … " + k);
            }
        }
        return new Recommendations(k, ids, scores, counts);
    }

    Recommendations(int k, int[] ids, float[] scores, int[] counts) {
        this.k = k;
        this.ids = ids;
        this.scores = scores;
        this.counts = counts;
    }

    /** The requested k. */
    public int k() {
        return k;
    }

    /** Number of query rows. */
    public int rows() {
        return counts.length;
    }

    /** How many entries row {@code q} has (less than k when fewer candidates exist; 0 when cold). */
    public int count(int q) {
        return counts[q];
    }

    /** The {@code r}-th best id of row {@code q} (0-based). */
    public int id(int q, int r) {
        if (r >= counts[q]) {
            throw new IndexOutOfBoundsException("rank " + r + " of row " + q + " with " + counts[q] + " entries");
        }
        return ids[q * k + r];
    }

    /** The score of that entry. */
    public float score(int q, int r) {
        if (r >= counts[q]) {
            throw new IndexOutOfBoundsException("rank " + r + " of row " + q + " with " + counts[q] + " entries");
        }
        return scores[q * k + r];
    }

    /** A copy of row {@code q}'s ids, best first. */
    public int[] ids(int q) {
        return Arrays.copyOfRange(ids, q * k, q * k + counts[q]);
    }

    /** A copy of row {@code q}'s scores, best first. */
    public float[] scores(int q) {
        return Arrays.copyOfRange(scores, q * k, q * k + counts[q]);
    }

    /** Every row's ids (for ranking metrics). */
    public int[][] idLists() {
        int[][] out = new int[counts.length][];
        for (int q = 0; q < out.length; q++) {
            out[q] = ids(q);
        }
        return out;
    }
}
