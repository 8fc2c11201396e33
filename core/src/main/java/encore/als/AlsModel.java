package encore.als;

import encore.matrix.Csr;
import encore.data.LabelIndex;

import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A fitted ALS model: user and item factors ({@code float}, row-major, {@code rank} per row) plus the label indices.
 * Users or items without training ratings have no factors ("cold"): their predictions are NaN and they get no
 * recommendation lists, as in Spark. Immutable after construction and safe for any number of concurrent readers.
 */
public final class AlsModel {
    private final AlsParams params;
    private final LabelIndex users;
    private final LabelIndex items;
    private final float[] userFactors;
    private final float[] itemFactors;
    private final BitSet userHas;
    private final BitSet itemHas;
    private final TopKScorer scorer;

    /**
     * @param userFactors {@code users.size() × rank}
     * @param itemFactors {@code items.size() × rank}
     * @param userHas     users that have factors
     * @param itemHas     items that have factors
     */
    public AlsModel(AlsParams params, LabelIndex users, LabelIndex items, float[] userFactors, float[] itemFactors,
                    BitSet userHas, BitSet itemHas) {
        int k = params.rank();
        if (userFactors.length != (long) users.size() * k || itemFactors.length != (long) items.size() * k) {
            throw new IllegalArgumentException("factor arrays do not match " + users.size() + " users, "
                + items.size() + " items and rank " + k);
        }
        this.params = params;
        this.users = users;
        this.items = items;
        this.userFactors = userFactors;
        this.itemFactors = itemFactors;
        this.userHas = (BitSet) userHas.clone();
        this.itemHas = (BitSet) itemHas.clone();
        this.scorer = null;
    }

    private AlsModel(AlsModel m, TopKScorer scorer) {
        this.params = m.params;
        this.users = m.users;
        this.items = m.items;
        this.userFactors = m.userFactors;
        this.itemFactors = m.itemFactors;
        this.userHas = m.userHas;
        this.itemHas = m.itemHas;
        this.scorer = scorer;
    }

    /**
     * This model with its recommend and similar-items methods computed by {@code scorer} (e.g. the GPU's), sharing
     * the factors; null restores the built-in CPU scorer. The caller keeps ownership of the scorer.
     */
    public AlsModel withScorer(TopKScorer scorer) {
        return new AlsModel(this, scorer);
    }

    /** The engine that computed the latest recommendations of this model ("cpu" unless a scorer was given). */
    public String scorerName() {
        return scorer == null ? "cpu" : scorer.name();
    }

    private Recommendations score(float[] q, BitSet qHas, int nq, float[] c, BitSet cHas, int nc, int k, Csr exclude,
                                  int[] rows, int threads) {
        if (scorer == null) {
            return BlockedScorer.topK(q, qHas, nq, c, cHas, nc, rank(), k, exclude, rows, threads);
        }
        return scorer.topK(q, qHas, nq, c, cHas, nc, rank(), k, exclude, rows);
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

    /** A copy of the user factors (row-major). */
    public float[] userFactors() {
        return userFactors.clone();
    }

    /** A copy of the item factors (row-major). */
    public float[] itemFactors() {
        return itemFactors.clone();
    }

    /** A copy of user {@code u}'s factor vector, or null when the user is cold. */
    public float[] userFactor(int u) {
        return userHas.get(u) ? Arrays.copyOfRange(userFactors, u * rank(), (u + 1) * rank()) : null;
    }

    /** A copy of item {@code i}'s factor vector, or null when the item is cold. */
    public float[] itemFactor(int i) {
        return itemHas.get(i) ? Arrays.copyOfRange(itemFactors, i * rank(), (i + 1) * rank()) : null;
    }

    /** True when user index {@code u} exists and has factors. */
    public boolean hasUser(int u) {
        return u >= 0 && u < users.size() && userHas.get(u);
    }

    /** True when item index {@code i} exists and has factors. */
    public boolean hasItem(int i) {
        return i >= 0 && i < items.size() && itemHas.get(i);
    }

    /** Number of users with factors. */
    public int usersWithFactors() {
        return userHas.cardinality();
    }

    /** Number of items with factors. */
    public int itemsWithFactors() {
        return itemHas.cardinality();
    }

    /** xᵤᵀ yᵢ in float, as Spark's transform; NaN when either side is cold or out of range. */
    public float predict(int user, int item) {
        if (!hasUser(user) || !hasItem(item)) {
            return Float.NaN;
        }
        int k = rank();
        int uo = user * k;
        int io = item * k;
        float s = 0;
        for (int d = 0; d < k; d++) {
            s += userFactors[uo + d] * itemFactors[io + d];
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
            return new Csr(pairs.rows(), pairs.cols(), pairs.rowPtr().clone(), pairs.colIdx().clone(), pred);
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
     * Top-{@code k} items for every user (row = user index). Users without factors get no list.
     *
     * @param exclude users × items entries never to recommend (e.g. the training matrix: already-seen items), or null
     *                to include everything (Spark's behaviour)
     */
    public Recommendations recommendForAllUsers(int k, Csr exclude) {
        checkExclude(exclude, users.size(), items.size());
        return score(userFactors, userHas, users.size(), itemFactors, itemHas, items.size(), k, exclude, null,
            params.threads());
    }

    /**
     * {@link #recommendForAllUsers(int, Csr)} with a global blacklist: items in {@code blocked} (by index) are never
     * recommended to anyone (e.g. unavailable tracks); ids past the catalogue are ignored.
     */
    public Recommendations recommendForAllUsers(int k, Csr exclude, BitSet blocked) {
        checkExclude(exclude, users.size(), items.size());
        BitSet allowed = (BitSet) itemHas.clone();
        allowed.andNot(blocked);
        return score(userFactors, userHas, users.size(), itemFactors, allowed, items.size(), k, exclude, null,
            params.threads());
    }

    /** Both lists of every user from one scoring pass: without and with the excluded entries. */
    public record ListsWithAndWithoutExclusion(Recommendations all, Recommendations excluded) {
    }

    /**
     * {@link #recommendForAllUsers} twice — with every item, and without the entries of {@code exclude} — for the
     * price of one scoring pass (e.g. lists to show and lists to evaluate).
     */
    public ListsWithAndWithoutExclusion recommendForAllUsersBoth(int k, Csr exclude) {
        if (exclude == null) {
            throw new IllegalArgumentException("an exclusion matrix is required");
        }
        checkExclude(exclude, users.size(), items.size());
        if (scorer != null) {
            return new ListsWithAndWithoutExclusion(
                score(userFactors, userHas, users.size(), itemFactors, itemHas, items.size(), k, null, null, 1),
                score(userFactors, userHas, users.size(), itemFactors, itemHas, items.size(), k, exclude, null, 1));
        }
        Recommendations[] r = BlockedScorer.topK(userFactors, userHas, users.size(), itemFactors, itemHas, items.size(),
            rank(), k, exclude, true, null, params.threads());
        return new ListsWithAndWithoutExclusion(r[1], r[0]);
    }

    /**
     * Top-{@code k} items for the given user labels, de-duplicated in first-seen order; unknown or cold labels are
     * silently omitted, as in Spark. Row {@code r} of the result belongs to {@code result.users()[r]}.
     */
    public UserRecommendations recommendForUsers(String[] labels, int k, Csr exclude) {
        checkExclude(exclude, users.size(), items.size());
        Set<Integer> rows = new LinkedHashSet<>();
        for (String l : labels) {
            int u = users.indexOf(l);
            if (hasUser(u)) {
                rows.add(u);
            }
        }
        int[] q = rows.stream().mapToInt(Integer::intValue).toArray();
        Recommendations r = score(userFactors, userHas, users.size(), itemFactors, itemHas, items.size(), k, exclude,
            q, params.threads());
        return new UserRecommendations(q, r);
    }

    /** Subset recommendations: {@code users()[r]} is the user index of result row {@code r}. */
    public record UserRecommendations(int[] users, Recommendations lists) {
    }

    /**
     * Top-{@code k} users for every item (row = item index).
     *
     * @param exclude items × users entries to skip (e.g. the item×user training matrix), or null
     */
    public Recommendations recommendForAllItems(int k, Csr exclude) {
        checkExclude(exclude, items.size(), users.size());
        return score(itemFactors, itemHas, items.size(), userFactors, userHas, users.size(), k, exclude, null,
            params.threads());
    }

    /**
     * The {@code k} items most similar to {@code item} by cosine similarity of item factors, the item itself
     * excluded; ties by item index descending. Empty when the item is cold.
     */
    public Recommendations similarItems(int item, int k) {
        int n = items.size();
        int r = rank();
        if (!hasItem(item)) {
            return new Recommendations(Math.max(1, k), new int[Math.max(1, k)], new float[Math.max(1, k)], new int[1]);
        }
        float[] unit = new float[n * r];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < r; d++) {
                double v = itemFactors[i * r + d];
                norm += v * v;
            }
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (int d = 0; d < r; d++) {
                unit[i * r + d] = itemFactors[i * r + d] * inv;
            }
        }
        Csr self = new Csr(1, n, new int[] {0, 1}, new int[] {item}, new float[] {1f});
        float[] query = Arrays.copyOfRange(unit, item * r, (item + 1) * r);
        BitSet one = new BitSet(1);
        one.set(0);
        return score(query, one, 1, unit, itemHas, n, k, self, null, 1);
    }

    private static void checkExclude(Csr exclude, int rows, int cols) {
        if (exclude != null && (exclude.rows() != rows || exclude.cols() != cols)) {
            throw new IllegalArgumentException("exclusion matrix is " + exclude.rows() + " × " + exclude.cols()
                + ", expected " + rows + " × " + cols);
        }
    }
}
