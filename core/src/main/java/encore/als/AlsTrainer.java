package encore.als;

import encore.internal.Hashing;
import encore.matrix.Csr;
import encore.data.Interactions;
import encore.data.LabelIndex;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fits an {@link AlsModel} by alternating least squares, driving an {@link AlsBackend} half-iteration by
 * half-iteration, in Spark's order:
 * <pre>
 * init:  every user and item with at least one training rating gets a random unit vector
 *        (k Gaussian draws, divided by their L2 norm; no 1/√k scaling), seeded per entity;
 * each of maxIter iterations:
 *        items ← solve(item×user ratings, user factors)     (the random item init is never used by Cholesky)
 *        users ← solve(user×item ratings, item factors)
 * </pre>
 * Entities without training ratings keep no factors (cold). With {@code maxIter = 0} the model holds the random
 * initial factors, as Spark's does. With {@link AlsParams.Init#ENCORE} (the default) each entity's initial vector comes
 * from its own random stream ({@code SplittableRandom(Hashing.mix64(seed, side, index))}), so the factors are identical
 * whatever the thread count and whichever other entities exist. With {@link AlsParams.Init#SPARK} they are Spark's
 * own draws ({@link SparkInit}), so that a fit on the same indexed data starts where Spark's starts.
 */
public final class AlsTrainer {
    private AlsTrainer() {
    }

    /** Called after each iteration. */
    @FunctionalInterface
    public interface Listener {
        /** Iteration {@code iteration} of {@code maxIter} took {@code seconds}. */
        void iteration(int iteration, int maxIter, double seconds);

        /**
         * Called after {@link #iteration} with the training objective when {@link #wantsLoss()} is true (computing it
         * costs about one pass over the ratings).
         */
        default void loss(int iteration, double loss) {
        }

        /** Whether to compute the objective after each iteration. */
        default boolean wantsLoss() {
            return false;
        }

        /** A listener that ignores everything. */
        Listener NONE = (i, n, s) -> { };
    }

    /** The model and the time of each iteration. */
    public record Fit(AlsModel model, List<Double> iterationSeconds) {
    }

    /**
     * Fits a model on {@code train} with the given backend.
     *
     * @throws IllegalArgumentException when there are no ratings
     * @throws AlsException             when a system is singular or factors stop being finite, naming the entity
     */
    public static Fit fit(Interactions train, AlsParams params, AlsBackend backend, Listener listener) {
        if (train.nnz() == 0) {
            throw new IllegalArgumentException("no ratings to fit: the training set is empty");
        }
        int k = params.rank();
        LabelIndex users = train.users();
        LabelIndex items = train.items();
        Csr userItems = train.userItems();
        Csr itemUsers = train.itemUsers();
        long uLen = (long) users.size() * k;
        long iLen = (long) items.size() * k;
        if (uLen > Integer.MAX_VALUE - 16 || iLen > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("rank " + k + " × " + Math.max(users.size(), items.size())
                + " rows is more factors than one Java array holds");
        }
        BitSet userHas = nonEmptyRows(userItems);
        BitSet itemHas = nonEmptyRows(itemUsers);
        float[] userF = new float[(int) uLen];
        float[] itemF = new float[(int) iLen];
        // Items are solved first, and Cholesky and NNLS never read the factors they overwrite: the random item factors
        // are only read by a CG warm start or returned by a 0-iteration fit. Skipping them otherwise changes no result
        // (each side has its own streams) and saves one Gaussian per item and dimension (10⁷ at 1 M tracks, rank 10).
        initialise(userF, userHas, params, 0);
        if (params.maxIter() == 0 || params.solver() == AlsParams.Solver.CG) {
            initialise(itemF, itemHas, params, 1);
        }
        List<Double> times = new ArrayList<>();
        for (int it = 1; it <= params.maxIter(); it++) {
            long t0 = System.nanoTime();
            solve(backend, itemUsers, userF, itemF, params, items, "item");
            solve(backend, userItems, itemF, userF, params, users, "user");
            double secs = (System.nanoTime() - t0) / 1e9;
            times.add(secs);
            checkFinite(itemF, itemHas, k, items, "item", it);
            checkFinite(userF, userHas, k, users, "user", it);
            listener.iteration(it, params.maxIter(), secs);
            if (listener.wantsLoss()) {
                listener.loss(it, loss(userItems, userF, itemF, userHas, itemHas, params));
            }
        }
        return new Fit(new AlsModel(params, users, items, userF, itemF, userHas, itemHas), List.copyOf(times));
    }

    private static void solve(AlsBackend backend, Csr ratings, float[] src, float[] dst, AlsParams p,
                              LabelIndex dstLabels, String side) {
        try {
            backend.solve(ratings, src, dst, p);
        } catch (SingularSystemException e) {
            throw new AlsException(side + " '" + dstLabels.label(e.row()) + "' (index " + e.row() + ", "
                + e.entries() + " ratings): normal equations are not positive definite at rank " + p.rank()
                + " and regParam " + p.regParam() + "; raise regParam or lower the rank", e);
        }
    }

    /**
     * The objective ALS minimises, for progress reports:
     * <pre>
     * explicit  Σ_(u,i) (r − xᵤ·yᵢ)² + λ(Σᵤ nᵤ‖xᵤ‖² + Σᵢ nᵢ‖yᵢ‖²)
     * implicit  Σ_(u, all i) c (p − xᵤ·yᵢ)² + λ(Σᵤ nᵤ⁺‖xᵤ‖² + Σᵢ nᵢ⁺‖yᵢ‖²)
     *         = Σᵤ [xᵤᵀ(YᵀY)xᵤ + Σ_{i∈Ωᵤ} (c (p − s)² − s²)] + …,  s = xᵤ·yᵢ, c = 1 + α|r|, p = [r &gt; 0]
     * </pre>
     */
    static double loss(Csr userItems, float[] userF, float[] itemF, BitSet userHas, BitSet itemHas, AlsParams p) {
        int k = p.rank();
        boolean implicit = p.implicitPrefs();
        double[] gram = new double[k * k];
        if (implicit) {
            for (int i = itemHas.nextSetBit(0); i >= 0; i = itemHas.nextSetBit(i + 1)) {
                for (int a = 0; a < k; a++) {
                    double ya = itemF[i * k + a];
                    for (int b = 0; b < k; b++) {
                        gram[a * k + b] += ya * itemF[i * k + b];
                    }
                }
            }
        }
        double loss = 0;
        double[] itemCount = new double[itemHas.length()];
        int[] col = userItems.colIdx();
        float[] val = userItems.values();
        for (int u = userHas.nextSetBit(0); u >= 0; u = userHas.nextSetBit(u + 1)) {
            int uo = u * k;
            int n = 0;
            for (int q = userItems.rowStart(u); q < userItems.rowEnd(u); q++) {
                int io = col[q] * k;
                double s = 0;
                for (int d = 0; d < k; d++) {
                    s += (double) userF[uo + d] * itemF[io + d];
                }
                double r = val[q];
                if (implicit) {
                    double c = 1 + p.alpha() * Math.abs(r);
                    double pref = r > 0 ? 1 : 0;
                    loss += c * (pref - s) * (pref - s) - s * s;
                    if (r > 0) {
                        n++;
                        itemCount[col[q]]++;
                    }
                } else {
                    loss += (r - s) * (r - s);
                    n++;
                    itemCount[col[q]]++;
                }
            }
            if (implicit) {
                for (int a = 0; a < k; a++) {
                    double xa = userF[uo + a];
                    for (int b = 0; b < k; b++) {
                        loss += xa * gram[a * k + b] * userF[uo + b];
                    }
                }
            }
            loss += p.regParam() * n * squaredNorm(userF, uo, k);
        }
        for (int i = itemHas.nextSetBit(0); i >= 0; i = itemHas.nextSetBit(i + 1)) {
            loss += p.regParam() * itemCount[i] * squaredNorm(itemF, i * k, k);
        }
        return loss;
    }

    private static double squaredNorm(float[] f, int o, int k) {
        double s = 0;
        for (int d = 0; d < k; d++) {
            s += (double) f[o + d] * f[o + d];
        }
        return s;
    }

    static BitSet nonEmptyRows(Csr m) {
        BitSet b = new BitSet(m.rows());
        for (int r = 0; r < m.rows(); r++) {
            if (m.rowLength(r) > 0) {
                b.set(r);
            }
        }
        return b;
    }

    /** One side's initial factors (side 0: users, 1: items), drawn as {@link AlsParams#init()} says. */
    private static void initialise(float[] f, BitSet has, AlsParams p, int side) {
        if (p.init() == AlsParams.Init.SPARK) {
            SparkInit.initialise(f, has, p.rank(), p.seed(), p.numBlocks(), side);
        } else {
            initialise(f, has, p.rank(), p.seed(), side);
        }
    }

    /** Unit-norm Gaussian vectors for the rows in {@code has}; zeros elsewhere. */
    static void initialise(float[] f, BitSet has, int k, long seed, int side) {
        for (int r = has.nextSetBit(0); r >= 0; r = has.nextSetBit(r + 1)) {
            SplittableRandom rng = new SplittableRandom(Hashing.mix64(seed * 0x9E3779B97F4A7C15L + side) ^ Hashing.mix64(r + 1L));
            double norm = 0;
            int o = r * k;
            for (int d = 0; d < k; d++) {
                float g = (float) rng.nextGaussian();
                f[o + d] = g;
                norm += (double) g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < k; d++) {
                f[o + d] *= inv;
            }
        }
    }

    private static void checkFinite(float[] f, BitSet has, int k, LabelIndex labels, String side, int iteration) {
        for (int r = has.nextSetBit(0); r >= 0; r = has.nextSetBit(r + 1)) {
            for (int d = r * k, e = d + k; d < e; d++) {
                if (!Float.isFinite(f[d])) {
                    throw new AlsException(side + " '" + labels.label(r) + "' (index " + r + ") has a non-finite "
                        + "factor after iteration " + iteration + "; the ratings may hold huge values — scale them "
                        + "or raise regParam", null);
                }
            }
        }
    }
}
