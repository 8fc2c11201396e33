package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Users folded into a fitted model without retraining, and the explanation of a score: a new (or changed) user's
 * plays become a factor vector solved exactly as training solves a user row — the same normal equations
 * ({@link AlsBackend}: explicit ALS-WR with λ·n, implicit with YᵀY, α and λ·n⁺), the same row solver and precision,
 * through the engine's stateless {@link AlsBackend#solveRows row solve} on the model's item factors. For an exact
 * solver (Cholesky, NNLS) folding in a training user's own ratings therefore gives back the factor the last user
 * half-iteration wrote; the CG solver starts from zero here (training warm-starts from the previous iteration), so
 * its fold-in is within its tolerance of, not equal to, the trained factor.
 *
 * <p>Plays of the same item are summed, as the front end aggregates plays per (user, track) before training; only a
 * training matrix with duplicate entries (which Spark, and Encore's {@code Csr.fromCoordinates}, keep as separate
 * terms) folds in differently from how it trained.
 *
 * <p>YᵀY (and what the engine derives from it: {@link AlsBackend#prepareRowSolve}) is computed once, when the fold-in
 * is opened. Thread-safe: every call works on its own arrays.
 */
public final class FoldIn implements AutoCloseable {
    private final AlsModel model;
    private final Backends.Choice choice;
    private final AlsBackend backend;
    private final double[] gram;
    private final AlsBackend.RowSolve rows;

    /** Opens a fold-in on the CPU engine (one thread per call: a single row is latency-bound). */
    public static FoldIn open(AlsModel model) {
        Backends.Choice choice = Backends.choose("cpu");
        try {
            return new FoldIn(model, choice);
        } catch (RuntimeException e) {
            choice.close();
            throw e;
        }
    }

    private FoldIn(AlsModel model, Backends.Choice choice) {
        this.model = model;
        this.choice = choice;
        this.backend = choice.open(model.params(), 1);
        this.gram = model.params().implicitPrefs() ? backend.gram(model.itemFactors()) : null;
        this.rows = backend.prepareRowSolve(model.itemFactors(), gram, model.params());
    }

    /** The model folded into. */
    public AlsModel model() {
        return model;
    }

    /**
     * A folded-in user: its factor (null when no play has an item with factors), how many distinct items it was
     * solved from, and how many of the given entries were ignored (unknown indices or items without factors, which
     * training never saw).
     */
    public record User(float[] factor, int used, int ignored) {
        /** Whether a factor could be solved. */
        public boolean solved() {
            return factor != null;
        }
    }

    /**
     * The factor of a user with these plays: {@code counts[j]} of item index {@code items[j]} (the rating; repeated
     * items are summed, as the front end aggregates plays).
     *
     * @throws IllegalArgumentException when the arrays differ in length or a count is not finite
     */
    public User solve(int[] items, float[] counts) {
        return solve(plays(items, counts));
    }

    private User solve(Plays p) {
        if (p.items.length == 0) {
            return new User(null, 0, p.ignored);
        }
        int n = model.items().size();
        Csr row = new Csr(1, n, new int[] {0, p.items.length}, p.items, p.counts);
        Factors solved = rows.solve(row, null);
        return new User(solved.row(0), p.items.length, p.ignored);
    }

    /** One played item's part of a score. */
    public record Contribution(int item, double value, double share) {}

    /**
     * Why a user with these plays gets {@code item}: the user's factor is x = A⁻¹ b with b = Σ_j c_j y_j (the row's
     * normal equations above; c_j = r_j explicit, c_j = 1 + α r_j for r_j &gt; 0 and 0 otherwise implicit), so its
     * score is {@code y_itemᵀ x = Σ_j c_j · y_itemᵀ A⁻¹ y_j}: played item j contributes {@code c_j · wᵀ y_j} with
     * {@code w = A⁻¹ y_item} (A is symmetric), as implicit's {@code explain} decomposes it. {@code share} is the part
     * of the total. The contributions sum to the exact, unconstrained solution's score (the model's own factor is that
     * solution in float for the Cholesky solver; for CG and NNLS it differs by their tolerance or constraint).
     *
     * @param score the score to explain (the model's prediction, or the folded-in factor's)
     * @param top   how many contributions to list, largest first (ties: item index descending)
     */
    public record Explanation(int item, float score, double explained, List<Contribution> top) {
        public Explanation {
            top = List.copyOf(top);
        }
    }

    /**
     * Explains {@code item}'s score for a user with these plays ({@link #solve}'s arguments); the score is that of
     * the folded-in factor.
     *
     * @throws IllegalArgumentException for an item without factors, or no usable play
     */
    public Explanation explain(int[] items, float[] counts, int item, int top) {
        Plays p = plays(items, counts);
        User u = solve(p);
        if (!u.solved()) {
            throw new IllegalArgumentException("no play has an item with factors: nothing to explain");
        }
        return explain(p, item, top, u.factor());
    }

    /**
     * {@link #explain(int[], float[], int, int)} for a user whose factor is known (a training user: its training
     * plays and its trained factor).
     */
    public Explanation explain(int[] items, float[] counts, int item, int top, float[] factor) {
        return explain(plays(items, counts), item, top, factor);
    }

    private Explanation explain(Plays p, int item, int top, float[] factor) {
        if (!model.hasItem(item)) {
            throw new IllegalArgumentException("item " + item + " has no factors: it is never recommended");
        }
        if (top < 0) {
            throw new IllegalArgumentException("top must be >= 0, got " + top);
        }
        if (p.items.length == 0) {
            throw new IllegalArgumentException("no play has an item with factors: nothing to explain");
        }
        int k = model.rank();
        AlsParams params = model.params();
        double[] a = new double[k * k];
        double[] weight = new double[p.items.length];
        int counted = 0;
        float[] y = model.itemFactors().data();
        for (int j = 0; j < p.items.length; j++) {
            double r = p.counts[j];
            double gramWeight;
            if (params.implicitPrefs()) {
                gramWeight = params.alpha() * Math.abs(r);
                weight[j] = r > 0 ? 1 + gramWeight : 0;
                counted += r > 0 ? 1 : 0;
            } else {
                gramWeight = 1;
                weight[j] = r;
                counted++;
            }
            addOuter(a, y, p.items[j] * k, k, gramWeight);
        }
        if (gram != null) {
            for (int e = 0; e < k * k; e++) {
                a[e] += gram[e];
            }
        }
        double lambda = params.regParam() * counted;
        for (int d = 0; d < k; d++) {
            a[d * k + d] += lambda;
        }
        double[] w = new double[k];
        for (int d = 0; d < k; d++) {
            w[d] = y[item * k + d];
        }
        DenseCholesky.solveUpper(a, w, k, p.items.length);
        double[] value = new double[p.items.length];
        double total = 0;
        for (int j = 0; j < p.items.length; j++) {
            double dot = 0;
            int o = p.items[j] * k;
            for (int d = 0; d < k; d++) {
                dot += w[d] * y[o + d];
            }
            value[j] = weight[j] * dot;
            total += value[j];
        }
        Integer[] order = new Integer[p.items.length];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        Arrays.sort(
                order,
                (i1, i2) -> value[i1] != value[i2]
                        ? Double.compare(value[i2], value[i1])
                        : Integer.compare(p.items[i2], p.items[i1]));
        List<Contribution> list = new ArrayList<>();
        for (int r = 0; r < Math.min(top, order.length); r++) {
            int j = order[r];
            list.add(new Contribution(p.items[j], value[j], total != 0 ? value[j] / total : 0));
        }
        float score = 0f;
        for (int d = 0; d < k; d++) {
            score += factor[d] * y[item * k + d];
        }
        return new Explanation(item, score, total, list);
    }

    /** A[r][c] += weight · y_r y_c over the upper triangle (r ≤ c). */
    private static void addOuter(double[] a, float[] y, int o, int k, double weight) {
        for (int r = 0; r < k; r++) {
            double yr = weight * y[o + r];
            for (int c = r; c < k; c++) {
                a[r * k + c] += yr * y[o + c];
            }
        }
    }

    /** The usable plays: distinct items with factors, ascending, counts summed; and the number of ignored entries. */
    private record Plays(int[] items, float[] counts, int ignored) {}

    private Plays plays(int[] items, float[] counts) {
        if (items.length != counts.length) {
            throw new IllegalArgumentException(
                    "items and counts differ in length: " + items.length + " and " + counts.length);
        }
        long[] keyed = new long[items.length];
        for (int j = 0; j < items.length; j++) {
            if (!Float.isFinite(counts[j])) {
                throw new IllegalArgumentException("counts[" + j + "] is " + counts[j] + ", expected a finite number");
            }
            keyed[j] = ((long) items[j] << 32) | j;
        }
        Arrays.sort(keyed);
        int[] outItems = new int[items.length];
        float[] outCounts = new float[items.length];
        int n = 0;
        int ignored = 0;
        int previous = 0;
        boolean previousUsed = false;
        for (int at = 0; at < keyed.length; at++) {
            int item = (int) (keyed[at] >> 32);
            int j = (int) keyed[at];
            if (at > 0 && item == previous) {
                if (previousUsed) {
                    outCounts[n - 1] += counts[j]; // in input order: the keys sort by item, then position
                } else {
                    ignored++;
                }
                continue;
            }
            previous = item;
            previousUsed = model.hasItem(item);
            if (previousUsed) {
                outItems[n] = item;
                outCounts[n] = counts[j];
                n++;
            } else {
                ignored++;
            }
        }
        return new Plays(Arrays.copyOf(outItems, n), Arrays.copyOf(outCounts, n), ignored);
    }

    /** Closes the engine. */
    @Override
    public void close() {
        try {
            backend.close();
        } finally {
            choice.close();
        }
    }
}
