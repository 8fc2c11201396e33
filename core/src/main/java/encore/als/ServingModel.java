package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;

/**
 * A model ready to answer single requests — what {@code encore recommend --plays}, {@code encore explain} and
 * {@code encore serve} ask: recommendations for a training user, for a factor or for a new user's plays (folded in),
 * each under an {@link ItemFilter}; similar items; explanations. It adds to {@link AlsModel} the training matrix
 * ("seen": which items each user played, and with {@code seenCounts} how often), for excluding what a user already
 * played and for explaining a training user. Thread-safe and read-only: any number of requests may run at once.
 *
 * <p>Every list has exactly {@code min(k, allowed candidates)} entries, score descending then item index descending;
 * items without factors are never returned. Errors about the request (unknown or cold user, item without factors,
 * k &lt; 1) are {@link IllegalArgumentException}s naming the parameter.
 */
public final class ServingModel {
    private final AlsModel model;
    private final Csr seen;
    private final boolean seenCounts;
    private volatile UnitItems unitItems;

    /**
     * @param seen       the users × items training matrix the model was saved with, or null
     * @param seenCounts whether {@code seen}'s values are the training ratings (else they are 1.0 placeholders)
     */
    public ServingModel(AlsModel model, Csr seen, boolean seenCounts) {
        if (seen != null
                && (seen.rows() != model.users().size()
                        || seen.cols() != model.items().size())) {
            throw new IllegalArgumentException("seen is " + seen.rows() + " × " + seen.cols() + ", expected "
                    + model.users().size() + " × " + model.items().size());
        }
        this.model = model;
        this.seen = seen;
        this.seenCounts = seen != null && seenCounts;
    }

    /** The model. */
    public AlsModel model() {
        return model;
    }

    /** Whether the training items of each user are known (for {@code excludeSeen}). */
    public boolean hasSeen() {
        return seen != null;
    }

    /** Whether the training ratings of each user are known (for explaining a training user). */
    public boolean hasSeenCounts() {
        return seenCounts;
    }

    /**
     * Builds everything requests use now rather than on the first request: the fold-in (YᵀY), the item index and the
     * unit-length index of {@link #similar} (each as large as the item factors).
     */
    public ServingModel warmUp() {
        model.itemSearcher();
        model.folder();
        unitItems();
        return this;
    }

    /**
     * The best {@code k} items for training user {@code user} under {@code filter}; with {@code excludeSeen} also
     * without the user's training items.
     *
     * @throws IllegalArgumentException when the user is unknown or has no factors, or {@code excludeSeen} is asked of a
     *                                  model saved without its training items
     */
    public RankedItems recommend(int user, int k, ItemFilter filter, boolean excludeSeen) {
        float[] x = userFactor(user);
        return model.itemSearcher().search(x, k, filter, excludeSeen ? seenItems(user) : null);
    }

    /** The best {@code k} items for a user factor under {@code filter} ({@link AlsModel#recommend}). */
    public RankedItems recommend(float[] userFactor, int k, ItemFilter filter) {
        return model.recommend(userFactor, k, filter);
    }

    /** A recommendation for plays folded in: the user as solved, and its list (empty when nothing could be solved). */
    public record PlaysRecommendation(FoldIn.User user, RankedItems items) {}

    /**
     * Folds in a user with these plays ({@link AlsModel#foldIn}) and recommends for it under {@code filter}; with
     * {@code excludePlayed} the played items are left out.
     */
    public PlaysRecommendation recommendForPlays(
            int[] items, float[] counts, int k, ItemFilter filter, boolean excludePlayed) {
        FoldIn.User u = model.foldIn(items, counts);
        if (!u.solved()) {
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            return new PlaysRecommendation(u, new RankedItems(new int[0], new float[0]));
        }
        int[] played = null;
        if (excludePlayed) {
            played = items.clone();
            Arrays.sort(played);
        }
        return new PlaysRecommendation(u, model.itemSearcher().search(u.factor(), k, filter, played));
    }

    /** The folded-in user of these plays ({@link AlsModel#foldIn}). */
    public FoldIn.User foldIn(int[] items, float[] counts) {
        return model.foldIn(items, counts);
    }

    /**
     * The {@code k} items most similar to {@code item} (cosine of item factors, as {@link Recommender#similarItems}),
     * the item itself excluded, under {@code filter}.
     *
     * @throws IllegalArgumentException when the item is unknown or has no factors
     */
    public RankedItems similar(int item, int k, ItemFilter filter) {
        if (!model.hasItem(item)) {
            throw new IllegalArgumentException(
                    unknownOrCold("item", item, model.items().size()));
        }
        UnitItems unit = unitItems();
        return unit.searcher().search(unit.factors().row(item), k, filter, new int[] {item});
    }

    /**
     * Why training user {@code user} gets {@code item}: {@link FoldIn#explain} over the user's training ratings, with
     * the user's trained factor giving the score.
     *
     * @throws IllegalArgumentException when the user or item is unknown or cold, or the model was saved without its
     *                                  training ratings
     */
    public FoldIn.Explanation explain(int user, int item, int top) {
        float[] x = userFactor(user);
        if (!seenCounts) {
            throw new IllegalArgumentException(
                    seen == null
                            ? "this model was saved without its training items, so a training user cannot be explained"
                            : "this model was saved without its training counts (by an older Encore), so a training user "
                                    + "cannot be explained; retrain, or explain plays given with the request");
        }
        int from = seen.rowStart(user);
        int to = seen.rowEnd(user);
        int[] items = Arrays.copyOfRange(seen.colIdx(), from, to);
        float[] counts = Arrays.copyOfRange(seen.values(), from, to);
        return model.folder().explain(items, counts, item, top, x);
    }

    /** Why a user with these plays (folded in) gets {@code item} ({@link FoldIn#explain}). */
    public FoldIn.Explanation explain(int[] items, float[] counts, int item, int top) {
        return model.folder().explain(items, counts, item, top);
    }

    /** User {@code user}'s training items, ascending. */
    public int[] seenItems(int user) {
        if (seen == null) {
            throw new IllegalArgumentException(
                    "this model was saved without its training items, so excludeSeen cannot be applied");
        }
        return Arrays.copyOfRange(seen.colIdx(), seen.rowStart(user), seen.rowEnd(user));
    }

    private float[] userFactor(int user) {
        if (!model.hasUser(user)) {
            throw new IllegalArgumentException(
                    unknownOrCold("user", user, model.users().size()));
        }
        return model.userFactor(user);
    }

    private static String unknownOrCold(String what, int index, int size) {
        return index < 0 || index >= size
                ? what + " index " + index + " is not in the model (" + size + " " + what + "s)"
                : what + " " + index + " has no factors (no training plays)";
    }

    /** The item factors scaled to unit length, and their index (for similar items). */
    private record UnitItems(Factors factors, ItemSearcher searcher) {}

    private UnitItems unitItems() {
        UnitItems u = unitItems;
        if (u == null) {
            synchronized (this) {
                u = unitItems;
                if (u == null) {
                    Factors unit = Recommender.unitRows(model.itemFactors());
                    u = new UnitItems(unit, new ItemSearcher(unit));
                    unitItems = u;
                }
            }
        }
        return u;
    }
}
