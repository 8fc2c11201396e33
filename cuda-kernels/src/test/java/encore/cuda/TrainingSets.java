package encore.cuda;

import encore.als.AlsParams;
import encore.data.Interactions;
import encore.data.LabelIndex;
import encore.matrix.Csr;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/** Seeded training sets and parameter sets shared by the checked-backend tests (stand-in and real GPU). */
final class TrainingSets {
    private TrainingSets() {}

    /**
     * {@code users} users with 1 … {@code perUser} distinct items each, drawn from a half-normal popularity over
     * {@code items}; ratings 1 … 5, or play counts 1 … 20 when {@code counts}.
     */
    static Interactions randomTrain(long seed, int users, int items, int perUser, boolean counts) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = users * perUser;
        int[] r = new int[n];
        int[] c = new int[n];
        float[] v = new float[n];
        int q = 0;
        for (int u = 0; u < users; u++) {
            int len = 1 + rng.nextInt(perUser);
            Set<Integer> seen = new HashSet<>();
            for (int j = 0; j < len; j++) {
                int i = (int) Math.min(items - 1, Math.abs(rng.nextGaussian()) * items / 3);
                if (seen.add(i)) {
                    r[q] = u;
                    c[q] = i;
                    v[q] = counts ? 1 + rng.nextInt(20) : 1 + rng.nextInt(5);
                    q++;
                }
            }
        }
        return of(Csr.fromCoordinates(users, items, Arrays.copyOf(r, q), Arrays.copyOf(c, q), Arrays.copyOf(v, q)));
    }

    /** The interactions of a users × items matrix, with labels u0, u1, … and i0, i1, …. */
    static Interactions of(Csr userItems) {
        return new Interactions(
                labels("u", userItems.rows()), labels("i", userItems.cols()), userItems, userItems.transpose());
    }

    static LabelIndex labels(String prefix, int n) {
        String[] l = new String[n];
        for (int i = 0; i < n; i++) {
            l[i] = prefix + i;
        }
        return LabelIndex.ofOrdered(l, new int[n]);
    }

    /** Exact solves (Cholesky and its short-row forms), 4 iterations. */
    static AlsParams params(int rank, boolean implicit) {
        return AlsParams.builder()
                .rank(rank)
                .maxIter(4)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(5)
                .build();
    }

    /** Implicit, warm-started CG with 3 steps, 4 iterations. */
    static AlsParams cgParams(int rank) {
        return AlsParams.builder()
                .rank(rank)
                .maxIter(4)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(5)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
    }
}
