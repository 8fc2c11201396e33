package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random models for the model-file tests (awkward labels, extreme frequencies, signed zeros and subnormal factors,
 * cold rows, every parameter varied), and bit-exact comparisons of models and recommendation lists.
 */
final class RandomModels {
    private RandomModels() {}

    static final String[] FRAGMENTS = {
        "a",
        "b",
        "z",
        "Q",
        "0",
        "7",
        " ",
        "\t",
        "\n",
        ",",
        "\"",
        "\\",
        "\u0000",
        "é",
        "ß",
        "ø",
        "Ω",
        "音",
        "楽",
        "🎵",
        "😀",
        "𝄞",
        "\u00a0",
        "\ufffd",
        "-",
        "_",
        "rock",
        "Björk",
        "Sigur Rós",
        "坂本龍一"
    };

    static String[] labels(SplittableRandom rnd, int n) {
        Set<String> set = new LinkedHashSet<>();
        // edge names first, when there is room
        for (String edge : new String[] {" ", "\t", "", "🎵", "  "}) {
            if (set.size() < n && rnd.nextBoolean()) {
                set.add(edge);
            }
        }
        while (set.size() < n) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(6);
            for (int i = 0; i < len; i++) {
                sb.append(FRAGMENTS[rnd.nextInt(FRAGMENTS.length)]);
            }
            if (rnd.nextInt(5) == 0) {
                sb.append(rnd.nextInt(1_000_000));
            }
            set.add(sb.toString());
        }
        return set.toArray(new String[0]);
    }

    static LabelIndex index(SplittableRandom rnd, int n) {
        int[] freq = new int[n];
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            freq[i] = kind == 0 ? 0 : kind == 1 ? Integer.MAX_VALUE : rnd.nextInt(5000);
        }
        return LabelIndex.ofOrdered(labels(rnd, n), freq);
    }

    static float randomFactor(SplittableRandom rnd) {
        switch (rnd.nextInt(40)) {
            case 0:
                return -0.0f;
            case 1:
                return Float.MIN_VALUE;
            case 2:
                return -Float.MIN_NORMAL / 3;
            case 3:
                return 0f;
            default:
                return (float) (rnd.nextGaussian() * 0.5);
        }
    }

    static float[] factors(SplittableRandom rnd, int n, int rank, BitSet has) {
        float[] f = new float[n * rank];
        for (int i = 0; i < n; i++) {
            if (has.get(i)) {
                for (int d = 0; d < rank; d++) {
                    f[i * rank + d] = randomFactor(rnd);
                }
            }
        }
        return f;
    }

    static BitSet presence(SplittableRandom rnd, int n) {
        BitSet b = new BitSet();
        int coldEvery = 2 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(coldEvery) != 0) {
                b.set(i);
            }
        }
        return b;
    }

    static AlsParams params(SplittableRandom rnd, int rank) {
        boolean implicit = rnd.nextBoolean();
        boolean nonneg = rnd.nextInt(4) == 0;
        AlsParams.Solver solver =
                implicit && !nonneg && rnd.nextBoolean() ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY;
        return AlsParams.builder()
                .rank(rank)
                .maxIter(rnd.nextInt(40))
                .regParam(rnd.nextDouble() * 3)
                .implicitPrefs(implicit)
                .alpha(rnd.nextDouble() * 40)
                .nonnegative(nonneg)
                .seed(rnd.nextLong())
                .solver(solver)
                .cgSteps(1 + rnd.nextInt(9))
                .coldStartStrategy(
                        rnd.nextBoolean() ? AlsParams.ColdStartStrategy.NAN : AlsParams.ColdStartStrategy.DROP)
                .init(rnd.nextBoolean() ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE)
                .numBlocks(1 + rnd.nextInt(40))
                .build();
    }

    static AlsModel model(SplittableRandom rnd, int nu, int ni, int rank) {
        BitSet uh = presence(rnd, nu);
        BitSet ih = presence(rnd, ni);
        return new AlsModel(
                params(rnd, rank),
                index(rnd, nu),
                index(rnd, ni),
                Factors.wrap(factors(rnd, nu, rank, uh), nu, rank, uh),
                Factors.wrap(factors(rnd, ni, rank, ih), ni, rank, ih));
    }

    static Csr seen(SplittableRandom rnd, int nu, int ni) {
        int n = rnd.nextInt(nu * 4 + 1);
        int[] r = new int[n];
        int[] c = new int[n];
        float[] v = new float[n];
        for (int q = 0; q < n; q++) {
            r[q] = rnd.nextInt(nu);
            c[q] = rnd.nextInt(ni);
            v[q] = 1 + rnd.nextInt(50);
        }
        return Csr.fromCoordinates(nu, ni, r, c, v);
    }

    static Map<String, String> metadata(SplittableRandom rnd) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("created-by", "encore test 0.1.0");
        m.put("source", "/data/listenings " + String.join("", labels(rnd, 1)) + ".csv");
        m.put("timestamp", "2024-05-01T12:00:00Z");
        m.put("", "empty key");
        m.put("emoji 🎵", "");
        return m;
    }

    // ------------------------------------------------------------------------------------------- round trip

    static void assertModelEquals(AlsModel m, AlsModel a) {
        assertEquals(m.rank(), a.rank());
        assertEquals(m.params(), a.params());
        assertEquals(m.users(), a.users());
        assertEquals(m.items(), a.items());
        for (int u = 0; u < m.users().size(); u++) {
            assertEquals(m.users().label(u), a.users().label(u));
            assertEquals(m.users().frequency(u), a.users().frequency(u));
            assertEquals(m.hasUser(u), a.hasUser(u));
        }
        for (int i = 0; i < m.items().size(); i++) {
            assertEquals(m.items().label(i), a.items().label(i));
            assertEquals(m.items().frequency(i), a.items().frequency(i));
            assertEquals(m.hasItem(i), a.hasItem(i));
        }
        assertArrayEquals(bits(m.userFactors().data()), bits(a.userFactors().data()));
        assertArrayEquals(bits(m.itemFactors().data()), bits(a.itemFactors().data()));
        assertEquals(m.userFactors(), a.userFactors());
        assertEquals(m.itemFactors(), a.itemFactors());
        for (int u = 0; u < m.users().size(); u++) {
            for (int i = 0; i < m.items().size(); i++) {
                assertEquals(Float.floatToRawIntBits(m.predict(u, i)), Float.floatToRawIntBits(a.predict(u, i)));
            }
        }
    }

    static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    static void assertRecsEqual(Recommendations x, Recommendations y) {
        assertEquals(x.rows(), y.rows());
        for (int q = 0; q < x.rows(); q++) {
            assertArrayEquals(x.ids(q), y.ids(q));
            assertArrayEquals(bits(x.scores(q)), bits(y.scores(q)));
        }
    }
}
