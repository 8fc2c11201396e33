package encore.cpu;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NormalEquationTest {

    /** |actual − expected| ≤ relTol·|expected| element-wise (Spark's {@code ~== relTol}). */
    static void assertRel(double[] expected, double[] actual, double relTol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double tol = relTol * Math.abs(expected[i]);
            assertEquals(expected[i], actual[i], tol, "element " + i);
        }
    }

    @Test
    void sparkNormalEquationVector() {
        NormalEquation ne = new NormalEquation(2);
        assertEquals(2, ne.k());
        ne.add(new float[] {1f, 2f}, 0, 3.0, 1.0);
        ne.add(new float[] {4f, 5f}, 0, 12.0, 2.0);
        ne.fill();
        assertRel(new double[] {33, 42, 42, 54}, ne.a(), 1e-8);
        assertRel(new double[] {51, 66}, ne.b(), 1e-8);

        NormalEquation other = new NormalEquation(2);
        other.add(new float[] {7f, 8f}, 0, 9.0, 1.0);
        ne.merge(other);
        ne.fill();
        assertRel(new double[] {82, 98, 98, 118}, ne.a(), 1e-8);
        assertRel(new double[] {114, 138}, ne.b(), 1e-8);
        // merge does not touch its argument
        other.fill();
        assertRel(new double[] {49, 56, 56, 64}, other.a(), 1e-15);
        assertRel(new double[] {63, 72}, other.b(), 1e-15);

        ne.reset();
        assertArrayEquals(new double[4], ne.a());
        assertArrayEquals(new double[2], ne.b());
    }

    /** Hand-checked: six explicit ratings (one batch of four plus two singles) give Σ a aᵀ and Σ r a. */
    @Test
    void addRatingsExplicitByHand() {
        float[] f = {1, 0, 0, 1, 1, 1, 2, -1, 0, 3, 1, 2};
        NormalEquation ne = new NormalEquation(2);
        assertEquals(6, ne.addRatings(f, new int[] {0, 1, 2, 3, 4, 5}, new float[] {1, 2, 3, 4, 5, 6}, 0, 6, -1));
        ne.fill();
        // a aᵀ summed: (1,0) (0,1) (1,1) (2,-1) (0,3) (1,2)
        assertArrayEquals(new double[] {7, 1, 1, 16}, ne.a());
        // r·a summed: 1(1,0) + 2(0,1) + 3(1,1) + 4(2,-1) + 5(0,3) + 6(1,2)
        assertArrayEquals(new double[] {18, 28}, ne.b());
    }

    /** Property: the four-at-a-time path equals one add() per rating up to rounding, explicit and implicit. */
    @Test
    void addRatingsMatchesOneAddPerRating() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int k = 1 + rnd.nextInt(40);
            int items = 1 + rnd.nextInt(50);
            float[] f = new float[items * k];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rnd.nextGaussian();
            }
            int n = rnd.nextInt(30);
            int[] cols = new int[n + 3];
            float[] vals = new float[n + 3];
            for (int q = 0; q < cols.length; q++) {
                cols[q] = rnd.nextInt(items);
                vals[q] = rnd.nextInt(4) == 0 ? 0 : (float) (rnd.nextInt(21) - 5);
            }
            int s = rnd.nextInt(3);
            int e = s + n;
            double alpha = rnd.nextBoolean() ? -1 : rnd.nextDouble() * 20;
            NormalEquation fast = new NormalEquation(k);
            NormalEquation ref = new NormalEquation(k);
            int count = fast.addRatings(f, cols, vals, s, e, alpha);
            int positive = 0;
            for (int q = s; q < e; q++) {
                if (alpha < 0) {
                    ref.add(f, cols[q] * k, vals[q], 1);
                } else {
                    double c = alpha * Math.abs(vals[q]);
                    ref.add(f, cols[q] * k, vals[q] > 0 ? 1 + c : 0, c);
                    positive += vals[q] > 0 ? 1 : 0;
                }
            }
            assertEquals(alpha < 0 ? n : positive, count);
            fast.fill();
            ref.fill();
            for (int i = 0; i < k * k; i++) {
                assertEquals(ref.a()[i], fast.a()[i], 1e-12 * (1 + Math.abs(ref.a()[i])) * (1 + n), "A " + i);
            }
            for (int i = 0; i < k; i++) {
                assertEquals(ref.b()[i], fast.b()[i], 1e-12 * (1 + Math.abs(ref.b()[i])) * (1 + n), "b " + i);
            }
        }
    }

    @Test
    void rejectsNegativeOrNaNWeight() {
        NormalEquation ne = new NormalEquation(2);
        assertThrows(IllegalArgumentException.class, () -> ne.add(new float[] {1f, 2f}, 0, 3.0, -1.0));
        assertThrows(IllegalArgumentException.class, () -> ne.add(new float[] {1f, 2f}, 0, 3.0, -Double.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> ne.add(new float[] {1f, 2f}, 0, 3.0, Double.NaN));
        // nothing was accumulated by the rejected calls
        assertArrayEquals(new double[4], ne.a());
        assertArrayEquals(new double[2], ne.b());
    }

    @Test
    void rejectsMergingDifferentRank() {
        NormalEquation ne = new NormalEquation(2);
        assertThrows(IllegalArgumentException.class, () -> ne.merge(new NormalEquation(3)));
    }

    @Test
    void rejectsVectorOutsideTheArray() {
        NormalEquation ne = new NormalEquation(3);
        assertThrows(IndexOutOfBoundsException.class, () -> ne.add(new float[] {1f, 2f}, 0, 1.0, 1.0));
        assertThrows(IndexOutOfBoundsException.class, () -> ne.add(new float[6], 4, 1.0, 1.0));
        assertThrows(IndexOutOfBoundsException.class, () -> ne.add(new float[6], -1, 1.0, 1.0));
    }

    @Test
    void rejectsBadConstructionAndMatrixSize() {
        assertThrows(IllegalArgumentException.class, () -> new NormalEquation(0));
        NormalEquation ne = new NormalEquation(2);
        assertThrows(IllegalArgumentException.class, () -> ne.addMatrix(new double[3]));
    }

    @Test
    void readsTheVectorAtTheOffset() {
        // three rank-2 vectors packed in one array, as a factor block is
        float[] block = {9f, 9f, 1f, 2f, 4f, 5f};
        NormalEquation ne = new NormalEquation(2);
        ne.add(block, 2, 3.0, 1.0);
        ne.add(block, 4, 12.0, 2.0);
        ne.fill();
        assertRel(new double[] {33, 42, 42, 54}, ne.a(), 1e-15);
        assertRel(new double[] {51, 66}, ne.b(), 1e-15);
    }

    @Test
    void zeroWeightAddsOnlyToTheRightHandSide() {
        NormalEquation ne = new NormalEquation(2);
        ne.add(new float[] {1f, 2f}, 0, 3.0, 0.0);
        ne.fill();
        assertArrayEquals(new double[4], ne.a());
        assertArrayEquals(new double[] {3, 6}, ne.b());
    }

    @Test
    void diagonalAndMatrixTerms() {
        NormalEquation ne = new NormalEquation(3);
        ne.addToDiagonal(1.5);
        ne.addMatrix(new double[] {1, 2, 3, 2, 4, 5, 3, 5, 6});
        ne.fill();
        assertArrayEquals(new double[] {2.5, 2, 3, 2, 5.5, 5, 3, 5, 7.5}, ne.a(), 0.0);
        assertArrayEquals(new double[3], ne.b());
    }

    @Test
    void fillMirrorsTheUpperTriangle() {
        NormalEquation ne = new NormalEquation(3);
        double[] a = ne.a();
        assertSame(a, ne.a());
        a[1] = 7;
        a[2] = 8;
        a[5] = 9;
        a[3] = -1; // stale lower values are overwritten
        ne.fill();
        assertArrayEquals(new double[] {0, 7, 8, 7, 0, 9, 8, 9, 0}, a, 0.0);
    }

    @Test
    void randomAccumulationMatchesBruteForce() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int k : new int[] {1, 3, 10, 64}) {
            int n = 50;
            float[] y = new float[n * k];
            double[] t = new double[n];
            double[] c = new double[n];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            for (int r = 0; r < n; r++) {
                t[r] = rnd.nextDouble() * 10 - 5;
                c[r] = r % 7 == 0 ? 0.0 : rnd.nextDouble() * 3;
            }
            double[] gram = new double[k * k];
            for (int i = 0; i < gram.length; i++) {
                gram[i] = rnd.nextDouble();
            }
            for (int i = 0; i < k; i++) { // symmetrise
                for (int j = 0; j < i; j++) {
                    gram[i * k + j] = gram[j * k + i];
                }
            }
            double lambda = 0.37;

            double[] expA = gram.clone();
            double[] expB = new double[k];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < k; i++) {
                    expB[i] += t[r] * y[r * k + i];
                    for (int j = 0; j < k; j++) {
                        expA[i * k + j] += c[r] * (double) y[r * k + i] * (double) y[r * k + j];
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                expA[i * k + i] += lambda;
            }

            // split the rows over two accumulators and merge, as per-thread partial sums would be
            NormalEquation ne = new NormalEquation(k);
            NormalEquation part = new NormalEquation(k);
            ne.addMatrix(gram);
            for (int r = 0; r < n; r++) {
                (r % 2 == 0 ? ne : part).add(y, r * k, t[r], c[r]);
            }
            ne.merge(part);
            ne.addToDiagonal(lambda);
            ne.fill();
            for (int i = 0; i < k * k; i++) {
                assertEquals(expA[i], ne.a()[i], 1e-12 * (1 + Math.abs(expA[i])), "k=" + k + " A[" + i + "]");
            }
            for (int i = 0; i < k; i++) {
                assertEquals(expB[i], ne.b()[i], 1e-12 * (1 + Math.abs(expB[i])), "k=" + k + " b[" + i + "]");
            }
        }
    }
}
