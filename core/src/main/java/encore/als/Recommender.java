package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Recommendations from one {@link AlsModel} on one engine's {@link TopKScorer}: opened by
 * {@link AlsModel#recommender(String)}, it owns the scorer (and with it any GPU memory) until {@link #close()}. Not
 * thread-safe (a checked GPU scorer keeps state); open one per thread, or use the CPU one, which is.
 *
 * <p>Every list follows the {@link TopKScorer} contract: score {@code x_u · y_i} descending, then item index
 * descending (Spark's order); cold users get no list and cold items are never recommended.
 */
public final class Recommender implements AutoCloseable {
    private final AlsModel model;
    private final TopKScorer scorer;
    private final String skipped;
    private final Backends.Choice owned;

    /**
     * @param skipped why {@code auto} passed over higher-priority backends, or null
     * @param owned   a backend choice this recommender closes with its scorer, or null
     */
    Recommender(AlsModel model, TopKScorer scorer, String skipped, Backends.Choice owned) {
        this.model = model;
        this.scorer = scorer;
        this.skipped = skipped;
        this.owned = owned;
    }

    /** The engine that computed the latest lists ("cpu", "gpu"). */
    public String engine() {
        return scorer.name();
    }

    /** Why the lists are not (all) computed by the highest-priority engine asked for, or null. */
    public String fallbackReason() {
        String own = scorer.fallbackReason();
        return own != null ? own : skipped;
    }

    /**
     * Top-{@code k} items for every user (row = user index). Users without factors get no list.
     *
     * @param exclude users × items entries never to recommend (e.g. the training matrix: already-seen items), or null
     *                to include everything (Spark's behaviour)
     */
    public Recommendations recommendForAllUsers(int k, Csr exclude) {
        checkExclude(exclude, model.users().size(), model.items().size());
        return scorer.topK(model.userFactors(), model.itemFactors(), k, exclude, null);
    }

    /**
     * {@link #recommendForAllUsers(int, Csr)} with a global blacklist: items in {@code blocked} (by index) are never
     * recommended to anyone (e.g. unavailable tracks); ids past the catalogue are ignored.
     */
    public Recommendations recommendForAllUsers(int k, Csr exclude, BitSet blocked) {
        checkExclude(exclude, model.users().size(), model.items().size());
        return scorer.topK(model.userFactors(), allowed(blocked), k, exclude, null);
    }

    /** The item factors without the rows in {@code blocked} (all of them when null). */
    private Factors allowed(BitSet blocked) {
        if (blocked == null) {
            return model.itemFactors();
        }
        BitSet allowed = new BitSet();
        allowed.set(0, model.items().size());
        allowed.andNot(blocked);
        return model.itemFactors().restrictTo(allowed);
    }

    /** Both lists of every user: without and with the excluded entries. */
    public record ListsWithAndWithoutExclusion(Recommendations all, Recommendations excluded) {}

    /**
     * {@link #recommendForAllUsers} twice — with every item, and without the entries of {@code exclude} — from one
     * scoring pass where the scorer can (the CPU's can), e.g. lists to show and lists to evaluate.
     */
    public ListsWithAndWithoutExclusion recommendForAllUsersBoth(int k, Csr exclude) {
        if (exclude == null) {
            throw new IllegalArgumentException("exclude must be set: an exclusion matrix is required");
        }
        checkExclude(exclude, model.users().size(), model.items().size());
        Recommendations[] r = scorer.topKWithAndWithoutExclusion(model.userFactors(), model.itemFactors(), k, exclude);
        return new ListsWithAndWithoutExclusion(r[1], r[0]);
    }

    /** Subset recommendations: {@code users()[r]} is the user index of result row {@code r}. */
    public record UserRecommendations(int[] users, Recommendations lists) {}

    /**
     * Top-{@code k} items for the given user labels, de-duplicated in first-seen order; unknown or cold labels are
     * silently omitted, as in Spark. Row {@code r} of the result belongs to {@code result.users()[r]}.
     */
    public UserRecommendations recommendForUsers(String[] labels, int k, Csr exclude) {
        int[] idx = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            idx[i] = model.users().indexOf(labels[i]);
        }
        return recommendForUsers(idx, k, exclude);
    }

    /**
     * Top-{@code k} items for the given user indices, de-duplicated in first-seen order; indices out of range or of
     * cold users are omitted. Row {@code r} of the result belongs to {@code result.users()[r]}.
     */
    public UserRecommendations recommendForUsers(int[] userIndices, int k, Csr exclude) {
        return recommendForUsers(userIndices, k, exclude, null);
    }

    /**
     * {@link #recommendForUsers(int[], int, Csr)} with a blacklist: items in {@code blocked} (by index; null for none)
     * are never recommended, as {@link #recommendForAllUsers(int, Csr, BitSet)}.
     */
    public UserRecommendations recommendForUsers(int[] userIndices, int k, Csr exclude, BitSet blocked) {
        checkExclude(exclude, model.users().size(), model.items().size());
        BitSet seen = new BitSet();
        int[] q = new int[userIndices.length];
        int n = 0;
        for (int u : userIndices) {
            if (model.hasUser(u) && !seen.get(u)) {
                seen.set(u);
                q[n++] = u;
            }
        }
        q = Arrays.copyOf(q, n);
        return new UserRecommendations(q, scorer.topK(model.userFactors(), allowed(blocked), k, exclude, q));
    }

    /**
     * Top-{@code k} users for every item (row = item index).
     *
     * @param exclude items × users entries to skip (e.g. the item×user training matrix), or null
     */
    public Recommendations recommendForAllItems(int k, Csr exclude) {
        checkExclude(exclude, model.items().size(), model.users().size());
        return scorer.topK(model.itemFactors(), model.userFactors(), k, exclude, null);
    }

    /**
     * The {@code k} items most similar to {@code item} by cosine similarity of item factors, the item itself
     * excluded; ties by item index descending. Empty when the item is cold.
     */
    public Recommendations similarItems(int item, int k) {
        int n = model.items().size();
        int r = model.rank();
        if (!model.hasItem(item)) {
            return new Recommendations(Math.max(1, k), new int[Math.max(1, k)], new float[Math.max(1, k)], new int[1]);
        }
        Factors items = model.itemFactors();
        float[] unit = unitRows(items).data();
        Csr self = new Csr(1, n, new int[] {0, 1}, new int[] {item}, new float[] {1f});
        BitSet one = new BitSet(1);
        one.set(0);
        Factors query = Factors.wrap(Arrays.copyOfRange(unit, item * r, (item + 1) * r), 1, r, one);
        return scorer.topK(query, Factors.wrap(unit, n, r, items.present()), k, self, null);
    }

    /**
     * The rows of {@code f} scaled to unit length (in float, by 1/‖row‖ computed in double; zero rows stay zero): the
     * vectors whose dot products are the cosine similarities {@link #similarItems} ranks by.
     */
    static Factors unitRows(Factors f) {
        int n = f.rows();
        int r = f.rank();
        float[] d = f.data();
        float[] unit = new float[n * r];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int x = 0; x < r; x++) {
                double v = d[i * r + x];
                norm += v * v;
            }
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (int x = 0; x < r; x++) {
                unit[i * r + x] = d[i * r + x] * inv;
            }
        }
        return Factors.wrap(unit, n, r, f.present());
    }

    private static void checkExclude(Csr exclude, int rows, int cols) {
        if (exclude != null && (exclude.rows() != rows || exclude.cols() != cols)) {
            throw new IllegalArgumentException(
                    "exclude is " + exclude.rows() + " × " + exclude.cols() + ", expected " + rows + " × " + cols);
        }
    }

    /** Closes the scorer (and frees what it holds on a device); idempotent. */
    @Override
    public void close() {
        try {
            scorer.close();
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }
}
