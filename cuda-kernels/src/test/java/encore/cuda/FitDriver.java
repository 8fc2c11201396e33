package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Drives a backend's fit handle as the estimator does ({@code maxIter} times items, then users, a finiteness check
 * after each iteration) from seeded unit-vector initial factors on both sides, so that two backends fitted by it from
 * the same seed can be compared bit for bit. (The estimator's own initialisation is package-private in core; the
 * comparisons here only need both runs to start from the same factors.)
 */
final class FitDriver {
    private FitDriver() {}

    /** Fits {@code t} on {@code backend} and closes it; returns the final factors. */
    static AlsFit.State fit(AlsBackend backend, Interactions t, AlsParams p) {
        try (backend;
                AlsFit fit = backend.startFit(t.userItems(), t.itemUsers(), initial(t, p), p)) {
            for (int it = 1; it <= p.maxIter(); it++) {
                fit.solveItems();
                fit.solveUsers();
                for (AlsFit.Side side : AlsFit.Side.values()) {
                    if (fit.firstNonFinite(side) >= 0) {
                        throw new AlsException(
                                side.noun() + " " + fit.firstNonFinite(side) + " is not finite after " + "iteration "
                                        + it,
                                null);
                    }
                }
            }
            return fit.finish();
        }
    }

    /** Unit Gaussian vectors for the rows with ratings (both sides: CG warm-starts from the items' factors). */
    static AlsFit.State initial(Interactions t, AlsParams p) {
        return new AlsFit.State(
                unitRows(t.userItems(), p.rank(), p.seed()), unitRows(t.itemUsers(), p.rank(), p.seed() + 1));
    }

    static Factors unitRows(Csr ratings, int k, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] f = new float[ratings.rows() * k];
        BitSet has = new BitSet(ratings.rows());
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) == 0) {
                continue;
            }
            has.set(r);
            double n = 0;
            for (int d = 0; d < k; d++) {
                f[r * k + d] = (float) rng.nextGaussian();
                n += (double) f[r * k + d] * f[r * k + d];
            }
            for (int d = 0; d < k; d++) {
                f[r * k + d] /= (float) Math.sqrt(n);
            }
        }
        return Factors.wrap(f, ratings.rows(), k, has);
    }
}
