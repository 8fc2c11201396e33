package encore.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DenseSolversTest {

    private static final int[] RANKS = {1, 3, 10, 64, 128};

    // ---------------------------------------------------------------- helpers (independent references)

    /** Random SPD matrix GᵀG + shift·I with G a (2k)×k standard Gaussian matrix (condition number ≈ 30). */
    static double[] randomSpd(SplittableRandom rnd, int k, double shift) {
        int m = 2 * k;
        double[] g = new double[m * k];
        for (int i = 0; i < g.length; i++) {
            g[i] = gaussian(rnd);
        }
        double[] a = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int r = 0; r < m; r++) {
                    s += g[r * k + i] * g[r * k + j];
                }
                a[i * k + j] = s;
            }
            a[i * k + i] += shift;
        }
        return a;
    }

    static double gaussian(SplittableRandom rnd) {
        // Box–Muller; fine for tests
        double u = 1.0 - rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static double[] randomVector(SplittableRandom rnd, int k) {
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            v[i] = gaussian(rnd);
        }
        return v;
    }

    /** Plain Gaussian elimination with partial pivoting on the full matrix (reference solver). */
    static double[] gaussSolve(double[] a0, double[] b0, int k) {
        double[] a = a0.clone();
        double[] b = b0.clone();
        for (int col = 0; col < k; col++) {
            int p = col;
            for (int r = col + 1; r < k; r++) {
                if (Math.abs(a[r * k + col]) > Math.abs(a[p * k + col])) {
                    p = r;
                }
            }
            if (p != col) {
                for (int j = 0; j < k; j++) {
                    double t = a[col * k + j];
                    a[col * k + j] = a[p * k + j];
                    a[p * k + j] = t;
                }
                double t = b[col];
                b[col] = b[p];
                b[p] = t;
            }
            for (int r = col + 1; r < k; r++) {
                double f = a[r * k + col] / a[col * k + col];
                for (int j = col; j < k; j++) {
                    a[r * k + j] -= f * a[col * k + j];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[k];
        for (int i = k - 1; i >= 0; i--) {
            double s = b[i];
            for (int j = i + 1; j < k; j++) {
                s -= a[i * k + j] * x[j];
            }
            x[i] = s / a[i * k + i];
        }
        return x;
    }

    static double[] matVec(double[] a, double[] x, int k) {
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j < k; j++) {
                s += a[i * k + j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static double relResidual(double[] a, double[] x, double[] b, int k) {
        double[] r = matVec(a, x, k);
        for (int i = 0; i < k; i++) {
            r[i] -= b[i];
        }
        return norm(r) / norm(b);
    }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, Math.abs(d));
        }
        return m;
    }

    /** Solves with choleskySolve on copies; fails the test if it reports failure. */
    static double[] cholesky(double[] a, double[] b, int k) {
        double[] ac = a.clone();
        double[] x = b.clone();
        assertTrue(DenseSolvers.choleskySolve(ac, x, k), "choleskySolve failed");
        return x;
    }

    static double[] nnls(double[] a, double[] b, int k) {
        double[] x = new double[k];
        DenseSolvers.nnls(a, b, k, x, DenseSolvers.nnlsWorkspace(k));
        return x;
    }

    /** Exact NNLS by enumerating every active set (reference for small k): the unique KKT point of a strictly convex QP. */
    static double[] bruteForceNnls(double[] a, double[] b, int k) {
        double best = Double.POSITIVE_INFINITY;
        double[] bestX = null;
        for (int mask = 0; mask < (1 << k); mask++) {
            int[] free = new int[Integer.bitCount(mask)];
            int n = 0;
            for (int i = 0; i < k; i++) {
                if ((mask & (1 << i)) != 0) {
                    free[n++] = i;
                }
            }
            double[] sub = new double[n * n];
            double[] rhs = new double[n];
            for (int p = 0; p < n; p++) {
                rhs[p] = b[free[p]];
                for (int q = 0; q < n; q++) {
                    sub[p * n + q] = a[free[p] * k + free[q]];
                }
            }
            double[] xs = n == 0 ? new double[0] : gaussSolve(sub, rhs, n);
            double[] x = new double[k];
            boolean feasible = true;
            for (int p = 0; p < n; p++) {
                if (xs[p] < 0) {
                    feasible = false;
                }
                x[free[p]] = xs[p];
            }
            if (!feasible) {
                continue;
            }
            double f = objective(a, b, x, k);
            if (f < best) {
                best = f;
                bestX = x;
            }
        }
        return bestX;
    }

    static double objective(double[] a, double[] b, double[] x, int k) {
        double[] ax = matVec(a, x, k);
        double f = 0;
        for (int i = 0; i < k; i++) {
            f += 0.5 * x[i] * ax[i] - x[i] * b[i];
        }
        return f;
    }

    // ---------------------------------------------------------------- Cholesky

    @Test
    void sparkCholeskyVector() {
        NormalEquation ne = new NormalEquation(2);
        ne.add(new float[] {1f, 2f}, 0, 4.0, 1.0);
        ne.add(new float[] {1f, 3f}, 0, 9.0, 1.0);
        ne.add(new float[] {1f, 4f}, 0, 16.0, 1.0);

        double[] a = ne.a().clone();
        double[] x = ne.b().clone();
        assertTrue(DenseSolvers.choleskySolve(a, x, 2));
        NormalEquationTest.assertRel(new double[] {-8.333333, 6.0}, x, 1e-6);

        ne.addToDiagonal(1.5);
        a = ne.a().clone();
        x = ne.b().clone();
        assertTrue(DenseSolvers.choleskySolve(a, x, 2));
        NormalEquationTest.assertRel(new double[] {-0.1155556, 3.28}, x, 1e-6);
    }

    @Test
    void randomSpdSystemsMatchGaussianElimination() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int k : RANKS) {
            for (int rep = 0; rep < 3; rep++) {
                double[] a = randomSpd(rnd, k, rep == 0 ? 0.0 : 0.5);
                double[] b = randomVector(rnd, k);
                double[] x = cholesky(a, b, k);
                double[] ref = gaussSolve(a, b, k);
                double res = relResidual(a, x, b, k);
                assertTrue(res < 1e-10, "k=" + k + " cholesky residual " + res);
                assertTrue(relResidual(a, ref, b, k) < 1e-10, "k=" + k + " reference residual");
                double diff = 0;
                for (int i = 0; i < k; i++) {
                    diff = Math.max(diff, Math.abs(x[i] - ref[i]));
                }
                assertTrue(diff <= 1e-9 * maxAbs(ref), "k=" + k + " differs from reference by " + diff);
            }
        }
    }

    /** Factor once, mirror, then forward + backward solves give A⁻¹b; the halves solve Uᵀy = b and Ux = y. */
    @Test
    void factoredHalfSolvesMatchTheFullSolve() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k : RANKS) {
            double[] a = randomSpd(rnd, k, 0.5);
            double[] b = randomVector(rnd, k);
            double[] u = a.clone();
            assertTrue(DenseSolvers.choleskyFactor(u, k));
            DenseSolvers.mirrorFactor(u, k);
            double[] y = b.clone();
            DenseSolvers.forwardSolveMirrored(u, y, k);
            for (int i = 0; i < k; i++) { // (Uᵀy)_i = Σ_{p≤i} U_pi y_p = b_i
                double s = 0;
                for (int p = 0; p <= i; p++) {
                    s += u[p * k + i] * y[p];
                }
                assertEquals(b[i], s, 1e-10 * (1 + Math.abs(b[i])), "k=" + k + " forward row " + i);
            }
            double[] x = y.clone();
            DenseSolvers.backwardSolveUpper(u, x, k);
            double res = relResidual(a, x, b, k);
            assertTrue(res < 1e-10, "k=" + k + " residual " + res);
        }
    }

    @Test
    void readsOnlyTheUpperTriangle() {
        SplittableRandom rnd = new SplittableRandom(3);
        int k = 10;
        double[] a = randomSpd(rnd, k, 0.5);
        double[] b = randomVector(rnd, k);
        double[] expected = cholesky(a, b, k);
        double[] upper = a.clone();
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                upper[i * k + j] = Double.NaN;
            }
        }
        double[] x = b.clone();
        assertTrue(DenseSolvers.choleskySolve(upper, x, k));
        assertArrayEquals(expected, x, 0.0);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                assertTrue(Double.isNaN(upper[i * k + j]), "lower triangle was written");
            }
        }
    }

    @Test
    void acceptsOversizedArrays() {
        // workspaces sized for a larger rank: only the first k*k / k entries are used
        double[] a = new double[16];
        double[] b = new double[4];
        System.arraycopy(new double[] {4, 2, 2, 3}, 0, a, 0, 4);
        b[0] = 2;
        b[1] = 1;
        b[2] = 99;
        assertTrue(DenseSolvers.choleskySolve(a, b, 2));
        assertEquals(0.5, b[0], 1e-15);
        assertEquals(0.0, b[1], 1e-15);
        assertEquals(99, b[2], 0.0);
    }

    @Test
    void trivialRanks() {
        assertTrue(DenseSolvers.choleskySolve(new double[0], new double[0], 0));
        double[] b = {6};
        assertTrue(DenseSolvers.choleskySolve(new double[] {4}, b, 1));
        assertEquals(1.5, b[0], 0.0);
    }

    @Test
    void notPositiveDefiniteReturnsFalse() {
        // singular (rank 1): second pivot is exactly 0
        assertFalse(DenseSolvers.choleskySolve(new double[] {1, 2, 2, 4}, new double[] {1, 1}, 2));
        // zero matrix
        assertFalse(DenseSolvers.choleskySolve(new double[9], new double[] {1, 2, 3}, 3));
        assertFalse(DenseSolvers.choleskySolve(new double[1], new double[] {1}, 1));
        // indefinite
        assertFalse(DenseSolvers.choleskySolve(new double[] {1, 2, 2, 1}, new double[] {1, 1}, 2));
        // negative definite
        assertFalse(DenseSolvers.choleskySolve(new double[] {-1, 0, 0, -1}, new double[] {1, 1}, 2));
        // non-finite entries
        assertFalse(DenseSolvers.choleskySolve(new double[] {Double.NaN, 0, 0, 1}, new double[] {1, 1}, 2));
        assertFalse(DenseSolvers.choleskySolve(new double[] {1, Double.NaN, Double.NaN, 1}, new double[] {1, 1}, 2));
        assertFalse(
                DenseSolvers.choleskySolve(new double[] {Double.POSITIVE_INFINITY, 0, 0, 1}, new double[] {1, 1}, 2));
        // non-finite right-hand side gives a non-finite solution: reported, not returned silently
        assertFalse(DenseSolvers.choleskySolve(new double[] {1, 0, 0, 1}, new double[] {Double.NaN, 1}, 2));
    }

    @Test
    void rankDeficientNormalEquationWithoutRegularisationFails() {
        // explicit mode, regParam 0, fewer independent ratings than the rank (spec §2.4): not positive definite
        NormalEquation ne = new NormalEquation(3);
        ne.add(new float[] {1f, 0f, 0f}, 0, 2.0, 1.0);
        ne.add(new float[] {2f, 0f, 0f}, 0, 1.0, 1.0);
        assertFalse(DenseSolvers.choleskySolve(ne.a().clone(), ne.b().clone(), 3));
        ne.addToDiagonal(0.1 * 2);
        assertTrue(DenseSolvers.choleskySolve(ne.a().clone(), ne.b().clone(), 3));
    }

    @Test
    void rejectsUndersizedArrays() {
        assertThrows(IllegalArgumentException.class, () -> DenseSolvers.choleskySolve(new double[3], new double[2], 2));
        assertThrows(IllegalArgumentException.class, () -> DenseSolvers.choleskySolve(new double[4], new double[1], 2));
        assertThrows(
                IllegalArgumentException.class,
                () -> DenseSolvers.nnls(new double[4], new double[2], 2, new double[2], new double[9]));
        double[] same = new double[10];
        assertThrows(
                IllegalArgumentException.class, () -> DenseSolvers.nnls(new double[4], new double[2], 2, same, same));
    }

    // ---------------------------------------------------------------- NNLS

    @Test
    void nnlsIdentityClampsNegativeEntries() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k : RANKS) {
            double[] a = new double[k * k];
            for (int i = 0; i < k; i++) {
                a[i * k + i] = 1.0;
            }
            double[] b = randomVector(rnd, k);
            b[0] = -Math.abs(b[0]) - 0.1; // at least one negative entry
            double[] x = nnls(a, b, k);
            for (int i = 0; i < k; i++) {
                assertEquals(Math.max(b[i], 0.0), x[i], 1e-8, "k=" + k + " x[" + i + "]");
            }
        }
    }

    @Test
    void nnlsDiagonalSystem() {
        double[] a = {2, 0, 0, 0, 4, 0, 0, 0, 0.5};
        double[] b = {3, -1, 0.25};
        double[] x = nnls(a, b, 3);
        assertArrayEquals(new double[] {1.5, 0, 0.5}, x, 1e-8);
    }

    @Test
    void nnlsMatchesCholeskyWhenTheUnconstrainedSolutionIsPositive() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int k : RANKS) {
            for (int rep = 0; rep < 3; rep++) {
                double[] a = randomSpd(rnd, k, 1.0);
                double[] xTrue = new double[k];
                for (int i = 0; i < k; i++) {
                    xTrue[i] = 0.5 + rnd.nextDouble();
                }
                double[] b = matVec(a, xTrue, k);
                double[] chol = cholesky(a, b, k);
                double[] x = nnls(a, b, k);
                for (int i = 0; i < k; i++) {
                    assertTrue(chol[i] > 0);
                    assertEquals(chol[i], x[i], 1e-6, "k=" + k + " x[" + i + "]");
                }
            }
        }
    }

    @Test
    void nnlsFindsAKnownActiveSet() {
        // Build x* with zeros and b so that x* is the KKT point: (A x* − b)_i = 0 where x*_i > 0 and = μ_i > 0 where
        // x*_i = 0. For a strictly convex problem that point is the unique minimiser.
        SplittableRandom rnd = new SplittableRandom(13);
        for (int k : RANKS) {
            double[] a = randomSpd(rnd, k, 1.0);
            double[] xStar = new double[k];
            double[] mu = new double[k];
            for (int i = 0; i < k; i++) {
                if (i % 3 == 1 || k == 1 && rnd.nextBoolean()) {
                    mu[i] = 0.1 + rnd.nextDouble();
                } else {
                    xStar[i] = 0.2 + rnd.nextDouble();
                }
            }
            double[] b = matVec(a, xStar, k);
            for (int i = 0; i < k; i++) {
                b[i] -= mu[i];
            }
            double[] x = nnls(a, b, k);
            for (int i = 0; i < k; i++) {
                assertEquals(xStar[i], x[i], 1e-6, "k=" + k + " x[" + i + "]");
            }
        }
    }

    @Test
    void nnlsMatchesBruteForceOnSmallProblems() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int rep = 0; rep < 200; rep++) {
            int k = 1 + rnd.nextInt(7);
            double[] a = randomSpd(rnd, k, rnd.nextDouble());
            double[] b = randomVector(rnd, k);
            double[] ref = bruteForceNnls(a, b, k);
            double[] x = nnls(a, b, k);
            double tol = 1e-6 * (1 + maxAbs(ref));
            for (int i = 0; i < k; i++) {
                assertEquals(ref[i], x[i], tol, "rep=" + rep + " k=" + k + " x[" + i + "]");
            }
        }
    }

    @Test
    void nnlsSatisfiesKktOnRandomProblems() {
        SplittableRandom rnd = new SplittableRandom(19);
        for (int k : RANKS) {
            for (int rep = 0; rep < 5; rep++) {
                double[] a = randomSpd(rnd, k, rep * 0.5);
                double[] b = randomVector(rnd, k);
                if (rep == 4) {
                    for (int i = 0; i < k; i++) {
                        b[i] *= 1000; // scale of b should not matter
                    }
                }
                double[] x = nnls(a, b, k);
                double[] grad = matVec(a, x, k);
                for (int i = 0; i < k; i++) {
                    grad[i] -= b[i];
                }
                double scale = maxAbs(a) * maxAbs(x) + maxAbs(b);
                for (int i = 0; i < k; i++) {
                    String at = "k=" + k + " rep=" + rep + " i=" + i;
                    assertTrue(x[i] >= 0.0, at + " x=" + x[i]);
                    if (x[i] > 0) {
                        assertEquals(0.0, grad[i], 1e-6 * scale, at + " gradient on a free coordinate");
                    } else {
                        assertTrue(grad[i] >= -1e-6 * scale, at + " gradient " + grad[i] + " at a bound");
                    }
                }
            }
        }
    }

    @Test
    void nnlsLeavesInputsAloneAndReadsOnlyTheUpperTriangle() {
        SplittableRandom rnd = new SplittableRandom(23);
        int k = 10;
        double[] a = randomSpd(rnd, k, 0.5);
        double[] b = randomVector(rnd, k);
        double[] a0 = a.clone();
        double[] b0 = b.clone();
        double[] expected = nnls(a, b, k);
        assertArrayEquals(a0, a, 0.0);
        assertArrayEquals(b0, b, 0.0);

        double[] upper = a.clone();
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < i; j++) {
                upper[i * k + j] = Double.NaN;
            }
        }
        double[] x = nnls(upper, b, k);
        assertArrayEquals(expected, x, 1e-12);
    }

    @Test
    void nnlsWorkspaceAndOutputMayBeDirty() {
        SplittableRandom rnd = new SplittableRandom(29);
        int k = 12;
        double[] ws = DenseSolvers.nnlsWorkspace(k);
        assertEquals(5 * k, ws.length);
        double[] x = new double[k];
        for (int rep = 0; rep < 5; rep++) {
            double[] a = randomSpd(rnd, k, 0.3);
            double[] b = randomVector(rnd, k);
            Arrays.fill(x, -123.0);
            DenseSolvers.nnls(a, b, k, x, ws); // ws holds the previous problem's state
            assertArrayEquals(nnls(a, b, k), x, 0.0);
        }
        // a longer workspace / output (sized for a bigger rank) is fine too
        double[] a = randomSpd(rnd, 3, 0.3);
        double[] b = randomVector(rnd, 3);
        double[] big = new double[8];
        DenseSolvers.nnls(a, b, 3, big, DenseSolvers.nnlsWorkspace(8));
        assertArrayEquals(nnls(a, b, 3), Arrays.copyOf(big, 3), 0.0);
    }

    @Test
    void nnlsNonPositiveRightHandSideGivesZero() {
        SplittableRandom rnd = new SplittableRandom(31);
        int k = 8;
        // A with non-negative entries and b ≤ 0: x = 0 is the KKT point (gradient −b ≥ 0)
        double[] a = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                a[i * k + j] = i == j ? 2.0 : 0.1;
            }
        }
        double[] b = new double[k];
        for (int i = 0; i < k; i++) {
            b[i] = -rnd.nextDouble();
        }
        assertArrayEquals(new double[k], nnls(a, b, k), 0.0);
        assertArrayEquals(new double[k], nnls(a, new double[k], k), 0.0);
    }

    @Test
    void nnlsNeverReturnsNaN() {
        double[] x = nnls(new double[] {1, 0, 0, 1}, new double[] {Double.NaN, 1}, 2);
        for (double v : x) {
            assertTrue(v >= 0.0, "x = " + Arrays.toString(x));
        }
        x = nnls(new double[] {Double.NaN, 0, 0, 1}, new double[] {1, 1}, 2);
        for (double v : x) {
            assertTrue(v >= 0.0, "x = " + Arrays.toString(x));
        }
        // zero matrix: the line search has no curvature, which the stopping rule catches
        x = nnls(new double[4], new double[] {1, 1}, 2);
        for (double v : x) {
            assertTrue(v >= 0.0 && Double.isFinite(v), "x = " + Arrays.toString(x));
        }
    }

    @Test
    void nnlsStopsOnTinyStepLikeSpark() {
        // Spark's absolute step floor (1e-7): with curvature 1e8 the very first exact step (1e-8) counts as "too
        // small", so the search stops at x = 0. Dividing A and b by the scale gives the true answer.
        int k = 3;
        double[] a = new double[k * k];
        double[] b = new double[k];
        for (int i = 0; i < k; i++) {
            a[i * k + i] = 1e8;
            b[i] = 1e8;
        }
        assertArrayEquals(new double[k], nnls(a, b, k), 0.0);
        for (int i = 0; i < k; i++) {
            a[i * k + i] = 1;
            b[i] = 1;
        }
        assertArrayEquals(new double[] {1, 1, 1}, nnls(a, b, k), 1e-12);
    }
}
