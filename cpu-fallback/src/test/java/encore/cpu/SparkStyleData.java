package encore.cpu;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.Interactions;
import encore.data.LabelIndex;

import java.util.Random;

/** Synthetic low-rank rating data in the manner of Spark's ALSSuite generators, and small helpers. */
final class SparkStyleData {
    final Interactions train;
    final int[] testUser;
    final int[] testItem;
    final float[] testRating;

    private SparkStyleData(Interactions train, int[] tu, int[] ti, float[] tr) {
        this.train = train;
        this.testUser = tu;
        this.testItem = ti;
        this.testRating = tr;
    }

    static LabelIndex labels(int n) {
        String[] l = new String[n];
        int[] f = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = Integer.toString(i);
            f[i] = n - i;
        }
        return LabelIndex.ofOrdered(l, f);
    }

    /**
     * Explicit data as Spark's {@code genExplicitTestData}: with {@code java.util.Random(seed)}, draw distinct random
     * int ids for users, sort them, draw each user's factor (entries U(−1, 1)) in id order; the same for items; then
     * for every (user, item) in id order draw x: x &lt; 0.6 → train with rating + noise·N(0,1), 0.6 ≤ x &lt; 0.9 → test
     * noise-free; the rating is the float dot product. Index i is the i-th smallest id.
     */
    static SparkStyleData explicit(int users, int items, int rank, double noise, long seed) {
        return generate(users, items, rank, noise, seed, false);
    }

    /**
     * Implicit data as Spark's {@code genImplicitTestData}: same factors; a pair is observed with probability 0.8
     * when its true rating is positive, else 0.2; observed pairs then split 60/30 into train (with noise) and test.
     * Ratings can be negative.
     */
    static SparkStyleData implicit(int users, int items, int rank, double noise, long seed) {
        return generate(users, items, rank, noise, seed, true);
    }

    private static float[][] factors(int size, int rank, Random rnd) {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        while (ids.size() < size) {
            ids.add(rnd.nextInt());
        }
        float[][] f = new float[size][rank];
        for (int n = 0; n < size; n++) {
            for (int d = 0; d < rank; d++) {
                f[n][d] = -1f + rnd.nextFloat() * 2f;
            }
        }
        return f;
    }

    private static SparkStyleData generate(int users, int items, int rank, double noise, long seed, boolean implicit) {
        Random rnd = new Random(seed);
        float[][] uf = factors(users, rank, rnd);
        float[][] itf = factors(items, rank, rnd);
        IntFloatTriples tr = new IntFloatTriples();
        IntFloatTriples te = new IntFloatTriples();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < items; i++) {
                float rating = 0;
                for (int d = 0; d < rank; d++) {
                    rating += uf[u][d] * itf[i][d];
                }
                if (implicit && !(rnd.nextDouble() < (rating > 0 ? 0.8 : 0.2))) {
                    continue;
                }
                double x = rnd.nextDouble();
                if (x < 0.6) {
                    tr.add(u, i, rating + (float) (noise * rnd.nextGaussian()));
                } else if (x < 0.9) {
                    te.add(u, i, rating);
                }
            }
        }
        Interactions train = Interactions.fromCoordinates(labels(users), labels(items), tr.u(), tr.i(), tr.v());
        return new SparkStyleData(train, te.u(), te.i(), te.v());
    }

    /** Plain test RMSE (pairs with a cold side are skipped, coldStartStrategy=drop). */
    double rmse(AlsModel m) {
        double s = 0;
        int n = 0;
        for (int q = 0; q < testUser.length; q++) {
            float p = m.predict(testUser[q], testItem[q]);
            if (!Float.isNaN(p)) {
                double e = testRating[q] - p;
                s += e * e;
                n++;
            }
        }
        return Math.sqrt(s / n);
    }

    /** Spark's implicit check: rating and prediction clipped to [0, 1], errors weighted by 1 + α|r|. */
    double weightedClippedRmse(AlsModel m, double alpha) {
        double s = 0;
        double w = 0;
        for (int q = 0; q < testUser.length; q++) {
            float p = m.predict(testUser[q], testItem[q]);
            if (Float.isNaN(p)) {
                continue;
            }
            double r = testRating[q];
            double wt = 1 + alpha * Math.abs(r);
            double e = Math.min(1, Math.max(0, r)) - Math.min(1, Math.max(0, p));
            s += wt * e * e;
            w += wt;
        }
        return Math.sqrt(s / w);
    }

    /** Fits on the CPU engine with 2 threads. */
    static AlsModel fit(Interactions train, AlsParams p) {
        return fit(train, p, 2);
    }

    /** Fits on the CPU engine with {@code threads} threads. */
    static AlsModel fit(Interactions train, AlsParams p, int threads) {
        return Als.with(p).backend("cpu").threads(threads).fit(train).model();
    }

    /** Growable (int, int, float) triples. */
    static final class IntFloatTriples {
        private int[] u = new int[64];
        private int[] i = new int[64];
        private float[] v = new float[64];
        private int n;

        void add(int uu, int ii, float vv) {
            if (n == u.length) {
                u = java.util.Arrays.copyOf(u, n * 2);
                i = java.util.Arrays.copyOf(i, n * 2);
                v = java.util.Arrays.copyOf(v, n * 2);
            }
            u[n] = uu;
            i[n] = ii;
            v[n] = vv;
            n++;
        }

        int[] u() {
            return java.util.Arrays.copyOf(u, n);
        }

        int[] i() {
            return java.util.Arrays.copyOf(i, n);
        }

        float[] v() {
            return java.util.Arrays.copyOf(v, n);
        }
    }
}
