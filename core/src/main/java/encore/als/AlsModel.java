package encore.als;

import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;

/**
 * A fitted ALS model: user and item {@link Factors} plus the label indices that name their rows. Users or items
 * without training ratings have no factors ("cold"): their predictions are NaN and they get no recommendation lists,
 * as in Spark. A model is an immutable value (its factors are read-only values too), safe for any number of concurrent
 * readers. Recommendations come from a {@link Recommender}: {@link #recommender(String)} opens one on an engine
 * (closeable, it may hold a GPU); the {@code recommendFor…} methods here are shortcuts that use the CPU scorer on all
 * cores.
 */
public final class AlsModel {
    private final AlsParams params;
    private final LabelIndex users;
    private final LabelIndex items;
    private final Factors userFactors;
    private final Factors itemFactors;
    // serving caches, built on first use (the model stays an immutable value: they are functions of its factors)
    private volatile FoldIn foldIn;
    private volatile ItemSearcher searcher;

    /**
     * @param userFactors {@code users.size()} rows at {@code params.rank()}; kept, not copied (a {@link Factors} handed
     *                    over is never written again)
     * @param itemFactors {@code items.size()} rows at {@code params.rank()}; likewise
     */
    public AlsModel(AlsParams params, LabelIndex users, LabelIndex items, Factors userFactors, Factors itemFactors) {
        int k = params.rank();
        if (userFactors.rows() != users.size()
                || itemFactors.rows() != items.size()
                || userFactors.rank() != k
                || itemFactors.rank() != k) {
            throw new IllegalArgumentException("factors (" + userFactors.rows() + " × " + userFactors.rank() + ", "
                    + itemFactors.rows() + " × " + itemFactors.rank() + ") do not match " + users.size() + " users, "
                    + items.size() + " items and rank " + k);
        }
        this.params = params;
        this.users = users;
        this.items = items;
        this.userFactors = userFactors;
        this.itemFactors = itemFactors;
    }

    /**
     * Opens a recommender on backend {@code auto}, {@code cpu} or {@code gpu} (as {@link Als#backend}), on all cores;
     * the caller closes it.
     */
    public Recommender recommender(String backend) {
        return recommender(backend, Runtime.getRuntime().availableProcessors());
    }

    /** {@link #recommender(String)} with {@code threads} CPU worker threads. */
    public Recommender recommender(String backend, int threads) {
        Backends.Choice choice = Backends.choose(backend);
        try {
            return open(choice, threads, choice);
        } catch (RuntimeException e) {
            choice.close();
            throw e;
        }
    }

    /**
     * {@link #recommender(String, int)} on a backend already chosen (see {@link Als#backend(Backends.Choice)}); the
     * caller keeps the choice.
     */
    public Recommender recommender(Backends.Choice choice, int threads) {
        return open(choice, threads, null);
    }

    private Recommender open(Backends.Choice choice, int threads, Backends.Choice owned) {
        return new Recommender(this, choice.openScorer(threads), choice.skipped(), owned);
    }

    private Recommender cpu() {
        return new Recommender(this, new CpuTopKScorer(Runtime.getRuntime().availableProcessors()), null, null);
    }

    /** The parameters the model was fitted with. */
    public AlsParams params() {
        return params;
    }

    /** The length of every factor vector. */
    public int rank() {
        return params.rank();
    }

    /** User labels by index. */
    public LabelIndex users() {
        return users;
    }

    /** Item labels by index. */
    public LabelIndex items() {
        return items;
    }

    /** The user factors (row = user index; a read-only value). */
    public Factors userFactors() {
        return userFactors;
    }

    /** The item factors (row = item index; a read-only value). */
    public Factors itemFactors() {
        return itemFactors;
    }

    /** A copy of user {@code u}'s factor vector, or null when the user is cold. */
    public float[] userFactor(int u) {
        return userFactors.row(u);
    }

    /** A copy of item {@code i}'s factor vector, or null when the item is cold. */
    public float[] itemFactor(int i) {
        return itemFactors.row(i);
    }

    /** True when user index {@code u} exists and has factors. */
    public boolean hasUser(int u) {
        return userFactors.has(u);
    }

    /** True when item index {@code i} exists and has factors. */
    public boolean hasItem(int i) {
        return itemFactors.has(i);
    }

    /** Number of users with factors. */
    public int usersWithFactors() {
        return userFactors.presentCount();
    }

    /** Number of items with factors. */
    public int itemsWithFactors() {
        return itemFactors.presentCount();
    }

    /** xᵤᵀ yᵢ in float, as Spark's transform; NaN when either side is cold or out of range. */
    public float predict(int user, int item) {
        if (!hasUser(user) || !hasItem(item)) {
            return Float.NaN;
        }
        int k = rank();
        float[] uf = userFactors.data();
        float[] itf = itemFactors.data();
        int uo = user * k;
        int io = item * k;
        float s = 0;
        for (int d = 0; d < k; d++) {
            s += uf[uo + d] * itf[io + d];
        }
        return s;
    }

    /** Prediction by label; NaN for unknown labels (cold start). */
    public float predict(String userLabel, String itemLabel) {
        return predict(users.indexOf(userLabel), items.indexOf(itemLabel));
    }

    /**
     * Predictions for every entry of {@code pairs} (users × items, e.g. a test matrix), aligned with its non-zeros;
     * NaN for cold pairs. With {@link AlsParams.ColdStartStrategy#DROP} callers skip the NaNs.
     */
    public float[] transform(Csr pairs) {
        float[] out = new float[pairs.nnz()];
        int[] col = pairs.colIdx();
        for (int u = 0; u < pairs.rows(); u++) {
            for (int p = pairs.rowStart(u); p < pairs.rowEnd(u); p++) {
                out[p] = predict(u, col[p]);
            }
        }
        return out;
    }

    /**
     * Spark's {@code transform} with its {@code coldStartStrategy}: the predictions for {@code pairs} as a matrix of
     * the same shape, entries of cold pairs NaN ({@code nan}) or left out ({@code drop}).
     */
    public Csr transformWithColdStart(Csr pairs) {
        float[] pred = transform(pairs);
        if (params.coldStartStrategy() == AlsParams.ColdStartStrategy.NAN) {
            return new Csr(
                    pairs.rows(),
                    pairs.cols(),
                    pairs.rowPtr().clone(),
                    pairs.colIdx().clone(),
                    pred);
        }
        int[] ptr = new int[pairs.rows() + 1];
        int kept = 0;
        for (float p : pred) {
            if (!Float.isNaN(p)) {
                kept++;
            }
        }
        int[] idx = new int[kept];
        float[] val = new float[kept];
        int at = 0;
        for (int u = 0; u < pairs.rows(); u++) {
            for (int q = pairs.rowStart(u); q < pairs.rowEnd(u); q++) {
                if (!Float.isNaN(pred[q])) {
                    idx[at] = pairs.colIdx()[q];
                    val[at] = pred[q];
                    at++;
                }
            }
            ptr[u + 1] = at;
        }
        return new Csr(pairs.rows(), pairs.cols(), ptr, idx, val);
    }

    /**
     * A new (or changed) user folded in: the factor training would give a user with these plays
     * ({@link FoldIn#solve}), on the CPU engine. The first call computes YᵀY (implicit feedback) once for the model.
     *
     * @param items  item indices (unknown ones and items without factors are ignored and counted)
     * @param counts the plays (ratings) of each, repeated items summed
     */
    public FoldIn.User foldIn(int[] items, float[] counts) {
        return folder().solve(items, counts);
    }

    /**
     * The best {@code k} items for a user factor (e.g. a folded-in one) that {@code filter} allows: exactly
     * {@code min(k, allowed items with factors)} of them, score descending then item index descending. The first call
     * indexes the item factors once ({@link ItemSearcher}: a norm-ordered copy, as large as the item factors).
     */
    public RankedItems recommend(float[] userFactor, int k, ItemFilter filter) {
        return itemSearcher().search(userFactor, k, filter, null);
    }

    /** The fold-in this model's serving calls share (opened on first use; the CPU engine holds nothing to close). */
    FoldIn folder() {
        FoldIn f = foldIn;
        if (f == null) {
            synchronized (this) {
                f = foldIn;
                if (f == null) {
                    f = FoldIn.open(this);
                    foldIn = f;
                }
            }
        }
        return f;
    }

    /** The item index this model's single-query calls share (built on first use). */
    ItemSearcher itemSearcher() {
        ItemSearcher s = searcher;
        if (s == null) {
            synchronized (this) {
                s = searcher;
                if (s == null) {
                    s = new ItemSearcher(itemFactors);
                    searcher = s;
                }
            }
        }
        return s;
    }

    /** {@link Recommender#recommendForAllUsers(int, Csr)} on the CPU. */
    public Recommendations recommendForAllUsers(int k, Csr exclude) {
        try (Recommender r = cpu()) {
            return r.recommendForAllUsers(k, exclude);
        }
    }

    /** {@link Recommender#recommendForAllUsers(int, Csr, BitSet)} on the CPU. */
    public Recommendations recommendForAllUsers(int k, Csr exclude, BitSet blocked) {
        try (Recommender r = cpu()) {
            return r.recommendForAllUsers(k, exclude, blocked);
        }
    }

    /** {@link Recommender#recommendForAllUsersBoth} on the CPU (one scoring pass for both lists). */
    public Recommender.ListsWithAndWithoutExclusion recommendForAllUsersBoth(int k, Csr exclude) {
        try (Recommender r = cpu()) {
            return r.recommendForAllUsersBoth(k, exclude);
        }
    }

    /** {@link Recommender#recommendForUsers(String[], int, Csr)} on the CPU. */
    public Recommender.UserRecommendations recommendForUsers(String[] labels, int k, Csr exclude) {
        try (Recommender r = cpu()) {
            return r.recommendForUsers(labels, k, exclude);
        }
    }

    /** {@link Recommender#recommendForAllItems} on the CPU. */
    public Recommendations recommendForAllItems(int k, Csr exclude) {
        try (Recommender r = cpu()) {
            return r.recommendForAllItems(k, exclude);
        }
    }

    /** {@link Recommender#similarItems} on the CPU. */
    public Recommendations similarItems(int item, int k) {
        try (Recommender r = cpu()) {
            return r.similarItems(item, k);
        }
    }
}
