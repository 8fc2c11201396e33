package encore.data;

import encore.matrix.Csr;

/**
 * What the engines train on: the user×item matrix and its transpose (item×user), both CSR with float values, and the
 * label indices that name rows and columns. Row {@code u} of {@link #userItems()} is user index {@code u}.
 *
 * @param users     user labels by index
 * @param items     item labels by index
 * @param userItems users × items
 * @param itemUsers items × users (the transpose)
 */
public record Interactions(LabelIndex users, LabelIndex items, Csr userItems, Csr itemUsers) {
    /** Validates that the matrix shapes and non-zero counts match the label indices. */
    public Interactions {
        if (userItems.rows() != users.size()
                || userItems.cols() != items.size()
                || itemUsers.rows() != items.size()
                || itemUsers.cols() != users.size()
                || itemUsers.nnz() != userItems.nnz()) {
            throw new IllegalArgumentException("matrix shapes do not match the label indices");
        }
    }

    /** Ratings as coordinates (row = user index, col = item index); duplicates are kept, as Spark does. */
    public static Interactions fromCoordinates(
            LabelIndex users, LabelIndex items, int[] user, int[] item, float[] value) {
        Csr ui = Csr.fromCoordinates(users.size(), items.size(), user, item, value);
        return new Interactions(users, items, ui, ui.transpose());
    }

    /**
     * Ratings already in index space (row = user index, column = item index, as Spark's ALS takes integer ids): users
     * and items are labelled by their decimal index, with their rating counts as frequencies.
     */
    public static Interactions ofIndices(Csr userItems) {
        Csr itemUsers = userItems.transpose();
        return new Interactions(indexLabels(userItems), indexLabels(itemUsers), userItems, itemUsers);
    }

    private static LabelIndex indexLabels(Csr m) {
        String[] labels = new String[m.rows()];
        int[] counts = new int[m.rows()];
        for (int r = 0; r < labels.length; r++) {
            labels[r] = Integer.toString(r);
            counts[r] = m.rowLength(r);
        }
        return LabelIndex.ofOrdered(labels, counts);
    }

    /** Number of stored ratings (non-zeros of either matrix). */
    public int nnz() {
        return userItems.nnz();
    }
}
