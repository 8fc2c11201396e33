package encore.als;

import encore.data.Interactions;
import encore.data.LabelIndex;
import encore.internal.Hashing;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The ALS loop behind {@link Als#fit}: draws the initial factors and drives an engine's {@link AlsFit} half-iteration
 * by half-iteration, in Spark's order:
 * <pre>
 * init:  every user and item with at least one training rating gets a random unit vector
 *        (k Gaussian draws, divided by their L2 norm; no 1/√k scaling), seeded per entity;
 * each of maxIter iterations:
 *        items ← solve(item×user ratings, user factors)     (the random item init is never used by Cholesky)
 *        users ← solve(user×item ratings, item factors)
 * </pre>
 * Entities without training ratings keep no factors (cold). With {@code maxIter = 0} the model holds the random
 * initial factors, as Spark's does. With {@link AlsParams.Init#ENCORE} (the default) each entity's initial vector comes
 * from its own random stream, so the factors are identical whatever the thread count and whichever other entities
 * exist. With {@link AlsParams.Init#SPARK} they are Spark's own draws ({@link SparkInit}), so that a fit on the same
 * indexed data starts where Spark's starts.
 */
final class AlsTrainer {
    private AlsTrainer() {}

    /** The model and the time of each iteration. */
    record Fit(AlsModel model, List<Double> iterationSeconds) {}

    /**
     * Fits a model on {@code train} with the given (open) backend.
     *
     * @throws IllegalArgumentException when there are no ratings
     * @throws AlsException             when a system is singular or factors stop being finite, naming the entity
     */
    static Fit fit(Interactions train, AlsParams params, AlsBackend backend, FitListener listener) {
        if (train.nnz() == 0) {
            throw new IllegalArgumentException("no ratings to fit: the training set is empty");
        }
        Csr userItems = train.userItems();
        Csr itemUsers = train.itemUsers();
        int k = params.rank();
        long limit = Integer.MAX_VALUE - 16;
        if ((long) userItems.rows() * k > limit || (long) itemUsers.rows() * k > limit) {
            throw new IllegalArgumentException("rank " + k + " × " + Math.max(userItems.rows(), itemUsers.rows())
                    + " rows is more factors than one Java array holds");
        }
        AlsFit.State initial = new AlsFit.State(
                initialise(userItems, params, AlsFit.Side.USERS, true),
                // Items are solved first, and Cholesky and NNLS never read the factors they overwrite: only a CG warm
                // start or a 0-iteration fit reads the random item factors, so they are drawn only then (each side has
                // its own streams, so skipping them changes nothing else).
                initialise(
                        itemUsers,
                        params,
                        AlsFit.Side.ITEMS,
                        params.maxIter() == 0 || params.solver() == AlsParams.Solver.CG));
        List<Double> times = new ArrayList<>();
        AlsFit.State last;
        try (AlsFit fit = backend.startFit(userItems, itemUsers, initial, params)) {
            for (int it = 1; it <= params.maxIter(); it++) {
                long t0 = System.nanoTime();
                halfIteration(fit, AlsFit.Side.ITEMS, train.items(), params);
                halfIteration(fit, AlsFit.Side.USERS, train.users(), params);
                double secs = (System.nanoTime() - t0) / 1e9;
                times.add(secs);
                checkFinite(fit, AlsFit.Side.ITEMS, train.items(), it);
                checkFinite(fit, AlsFit.Side.USERS, train.users(), it);
                listener.iteration(it, params.maxIter(), secs);
                if (listener.wantsLoss()) {
                    listener.loss(it, fit.loss());
                }
            }
            last = fit.finish();
        }
        return new Fit(new AlsModel(params, train.users(), train.items(), last.users(), last.items()), times);
    }

    private static void halfIteration(AlsFit fit, AlsFit.Side side, LabelIndex labels, AlsParams p) {
        try {
            if (side == AlsFit.Side.ITEMS) {
                fit.solveItems();
            } else {
                fit.solveUsers();
            }
        } catch (SingularSystemException e) {
            throw new AlsException(
                    side.noun() + " '" + labels.label(e.row()) + "' (index " + e.row() + ", "
                            + e.entries() + " ratings): normal equations are not positive definite at rank " + p.rank()
                            + " and regParam " + p.regParam() + "; raise regParam or lower the rank",
                    e);
        }
    }

    private static void checkFinite(AlsFit fit, AlsFit.Side side, LabelIndex labels, int iteration) {
        int r = fit.firstNonFinite(side);
        if (r >= 0) {
            throw new AlsException(
                    side.noun() + " '" + labels.label(r) + "' (index " + r + ") has a non-finite "
                            + "factor after iteration " + iteration
                            + "; the ratings may hold huge values — scale them or raise "
                            + "regParam",
                    null);
        }
    }

    /**
     * One side's initial factors: the non-empty rows of {@code ratings} present, drawn as {@link AlsParams#init()}
     * says when {@code draw}, else left zero (for factors no solver reads before overwriting them).
     */
    static Factors initialise(Csr ratings, AlsParams p, AlsFit.Side side, boolean draw) {
        int k = p.rank();
        BitSet has = ratings.nonEmptyRows();
        float[] f = new float[ratings.rows() * k];
        if (draw) {
            int s = side == AlsFit.Side.USERS ? 0 : 1;
            if (p.init() == AlsParams.Init.SPARK) {
                SparkInit.initialise(f, has, k, p.seed(), p.numBlocks(), s);
            } else {
                initialise(f, has, k, p.seed(), s);
            }
        }
        return Factors.wrap(f, ratings.rows(), k, has);
    }

    /**
     * Unit-norm Gaussian vectors for the rows in {@code has}; zeros elsewhere. The stream of row r of a side is
     * {@code SplittableRandom(mix64(seed·φ + side) ^ mix64(r + 1))}: mixing the seed with the side and, separately,
     * the row index gives every (seed, side, row) its own well-separated seed, independent of which rows exist.
     */
    static void initialise(float[] f, BitSet has, int k, long seed, int side) {
        for (int r = has.nextSetBit(0); r >= 0; r = has.nextSetBit(r + 1)) {
            draw(f, r * k, k, seed, side, r);
        }
    }

    /** The vector of entity {@code id} of a side into {@code f[o .. o+k)} (see {@link #initialise}). */
    static void draw(float[] f, int o, int k, long seed, int side, long id) {
        SplittableRandom rng =
                new SplittableRandom(Hashing.mix64(seed * 0x9E3779B97F4A7C15L + side) ^ Hashing.mix64(id + 1L));
        double norm = 0;
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
