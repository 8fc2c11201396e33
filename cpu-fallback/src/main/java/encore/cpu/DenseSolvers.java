package encore.cpu;

/**
 * Small dense solvers for the k×k ALS normal equations (k = rank, typically 10–128), the CPU counterparts of Spark's
 * {@code CholeskySolver} (LAPACK {@code dppsv}) and {@code NNLSSolver} ({@code mllib.optimization.NNLS}).
 *
 * <h2>Conventions</h2>
 * <ul>
 *   <li>Matrices are plain {@code double[]}, k×k <b>row-major</b>: element (i, j) is at {@code i*k + j}. An array
 *       longer than k·k is fine (a workspace sized for the largest rank); only the first k·k entries are used.</li>
 *   <li>Both solvers read <b>only the upper triangle</b> (j ≥ i) of A, which is all that {@link NormalEquation}
 *       maintains during accumulation; the strict lower triangle is never read nor written, so it may be stale.</li>
 *   <li>No allocation per call: the caller owns every array, including the NNLS workspace. Methods are static and
 *       stateless, hence thread-safe as long as threads do not share arrays.</li>
 * </ul>
 */
public final class DenseSolvers {

    /** NNLS gives up after max(400, 20·k) iterations, as Spark does. */
    static final int NNLS_MIN_ITERATIONS = 400;

    private DenseSolvers() {}

    /**
     * Solves A x = b for a symmetric positive-definite A by Cholesky factorisation, in place.
     *
     * <p>The factorisation is A = Uᵀ U with U upper triangular (U = Lᵀ, i.e. A = L Lᵀ), computed row by row with
     * right-looking (outer-product) updates that walk contiguous row segments:
     * <pre>
     *   for i = 0 .. k-1:
     *     u_ii = sqrt(a_ii)                       — fails unless a_ii &gt; 0 and finite
     *     u_ij = a_ij / u_ii            (j &gt; i)
     *     a_jl -= u_ij · u_il           (l ≥ j &gt; i)   — Schur complement, upper triangle only
     * </pre>
     * fused with the forward substitution Uᵀ y = b (y_i = b_i / u_ii; b_j -= u_ij · y_i), followed by the back
     * substitution U x = y (x_i = (y_i − Σ_{j&gt;i} u_ij x_j) / u_ii). Cost ≈ k³/6 multiply-adds.
     *
     * <p>This is what Spark's {@code CholeskySolver.solve} does through LAPACK {@code dppsv("U")}, except that Spark
     * throws {@code SingularMatrixException} where this returns {@code false}.
     *
     * @param a k×k row-major SPD matrix; only its upper triangle is read. On return (success or not) the upper
     *          triangle holds (part of) the factor U; the strict lower triangle is untouched.
     * @param b right-hand side, overwritten by the solution x on success
     * @return {@code true} on success; {@code false} if a pivot is ≤ 0, NaN or infinite (A is not numerically
     *         positive definite) or the solution is not finite. On {@code false} the contents of {@code b} are
     *         unspecified.
     */
    public static boolean choleskySolve(double[] a, double[] b, int k) {
        checkSquare(a, k);
        checkLength(b, k, "b");
        // Factorise and solve Uᵀ y = b in the same sweep.
        for (int i = 0; i < k; i++) {
            final int ri = i * k;
            final double pivot = a[ri + i];
            if (!(pivot > 0.0 && pivot < Double.POSITIVE_INFINITY)) {
                return false;
            }
            final double uii = Math.sqrt(pivot);
            final double inv = 1.0 / uii;
            a[ri + i] = uii;
            for (int j = i + 1; j < k; j++) {
                a[ri + j] *= inv;
            }
            final double yi = b[i] * inv;
            b[i] = yi;
            for (int j = i + 1; j < k; j++) {
                final double uij = a[ri + j];
                b[j] -= uij * yi;
                if (uij != 0.0) {
                    final int rj = j * k;
                    for (int l = j; l < k; l++) {
                        a[rj + l] -= uij * a[ri + l];
                    }
                }
            }
        }
        // Back substitution U x = y.
        for (int i = k - 1; i >= 0; i--) {
            final int ri = i * k;
            double s = b[i];
            for (int j = i + 1; j < k; j++) {
                s -= a[ri + j] * b[j];
            }
            final double xi = s / a[ri + i];
            if (!Double.isFinite(xi)) {
                return false;
            }
            b[i] = xi;
        }
        return true;
    }

    /** The workspace {@link #nnls} needs for rank k: 5·k doubles. Allocate once per thread and reuse. */
    public static double[] nnlsWorkspace(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        return new double[Math.multiplyExact(5, k)];
    }

    /**
     * Non-negative least squares on the normal equations, with Spark's algorithm ({@code NNLS.solve}, used by ALS
     * when {@code nonnegative=true}):
     * <pre>
     *   minimise  f(x) = ½ xᵀA x − xᵀb   subject to  x ≥ 0
     * </pre>
     * by projected gradient descent with exact line search, switching to conjugate-gradient directions while no
     * bound was hit. Starting from x = 0, each iteration t does:
     * <pre>
     *   r    = A x − b                                  — ∇f(x)
     *   g_i  = 0 if x_i == 0 and r_i &gt; 0, else r_i       — projected gradient (inactive bounds are free)
     *   s(d) = (d·r) / (dᵀA d + 1e-20)                  — exact minimiser of f(x − s·d) along d
     *   if t &gt; lastWall + 1:                             — the previous step hit no bound (lastWall starts at 0)
     *       d = g + (‖g‖² / ‖g_prev‖²) · d_prev          — Fletcher–Reeves conjugate direction
     *       if stop(s(d), ‖d‖²): d = g                   — reject a CG step that would end the search
     *   else d = g
     *   if stop(s(d), ‖d‖²): return x
     *   s = min(s(d), min_{i: s·d_i &gt; x_i} x_i / d_i)  — do not run through the walls
     *   x_i = 0 (and lastWall = t) if s·d_i &gt; x_i·(1 − 1e-14), else x_i −= s·d_i
     * </pre>
     * where {@code stop(s, n)} is: s is NaN, s &lt; 1e-7, s &gt; 1e40, n &lt; 1e-12·‖x‖² or n &lt; 1e-32. At most
     * max(400, 20·k) iterations are made; the iterate reached is returned.
     *
     * <p>It is an iterative approximation: an exact active-set NNLS agrees to several digits, not to the last one.
     * Inherited quirk: the absolute threshold on the step length (1e-7) is not scale-invariant, so if the
     * curvature dᵀA d / ‖d‖² exceeds about 1e7 the search stops early (at x = 0 when it happens on the first step).
     * Spark behaves the same way; callers that need otherwise can divide A and b by a common scale first (the
     * solution does not change).
     *
     * @param a  k×k row-major symmetric matrix (positive semi-definite); only its upper triangle is read; not
     *           modified
     * @param b  right-hand side, length ≥ k; not modified
     * @param x  output, length ≥ k; overwritten (always ≥ 0, never NaN)
     * @param ws workspace from {@link #nnlsWorkspace(int)} (≥ 5·k doubles), distinct from {@code x}
     */
    public static void nnls(double[] a, double[] b, int k, double[] x, double[] ws) {
        checkSquare(a, k);
        checkLength(b, k, "b");
        checkLength(x, k, "x");
        checkLength(ws, 5 * k, "ws");
        if (x == ws) {
            throw new IllegalArgumentException("x and ws must be different arrays");
        }
        final int res = 0; // r = A x − b
        final int grad = k; // projected gradient g
        final int dir = 2 * k; // search direction d
        final int lastDir = 3 * k; // previous direction
        final int ad = 4 * k; // scratch for A·d
        for (int i = 0; i < k; i++) {
            x[i] = 0.0;
        }
        final int maxIter = Math.max(NNLS_MIN_ITERATIONS, 20 * k);
        double lastNorm = 0.0;
        int lastWall = 0;
        for (int iter = 0; iter < maxIter; iter++) {
            final double ngrad = projectedGradient(a, b, k, x, ws);
            final double nx = squaredNorm(x, k);

            double step;
            double ndir;
            if (iter > lastWall + 1) {
                final double beta = ngrad / lastNorm;
                double nd = 0.0;
                for (int i = 0; i < k; i++) {
                    final double d = ws[grad + i] + beta * ws[lastDir + i];
                    ws[dir + i] = d;
                    nd += d * d;
                }
                final double cgStep = stepLength(a, k, ws, dir, res, ad);
                if (stop(cgStep, nd, nx)) {
                    System.arraycopy(ws, grad, ws, dir, k);
                    ndir = ngrad;
                    step = stepLength(a, k, ws, dir, res, ad);
                } else {
                    ndir = nd;
                    step = cgStep;
                }
            } else {
                ndir = ngrad;
                step = stepLength(a, k, ws, dir, res, ad);
            }

            if (stop(step, ndir, nx)) {
                return;
            }
            if (stepWithinTheWalls(x, ws, k, step)) {
                lastWall = iter;
            }
            System.arraycopy(ws, dir, ws, lastDir, k);
            lastNorm = ngrad;
        }
    }

    /**
     * r = A x − b into {@code ws[0 .. k)}, the projected gradient g (g_i = 0 where x_i = 0 and r_i &gt; 0, else r_i)
     * into both {@code ws[k .. 2k)} and the direction {@code ws[2k .. 3k)}; returns ‖g‖².
     */
    private static double projectedGradient(double[] a, double[] b, int k, double[] x, double[] ws) {
        final int res = 0;
        final int grad = k;
        final int dir = 2 * k;
        symv(a, k, x, 0, ws, res);
        double ngrad = 0.0;
        for (int i = 0; i < k; i++) {
            final double r = ws[res + i] - b[i];
            ws[res + i] = r;
            final double g = (r > 0.0 && x[i] == 0.0) ? 0.0 : r;
            ws[grad + i] = g;
            ws[dir + i] = g;
            ngrad += g * g;
        }
        return ngrad;
    }

    private static double squaredNorm(double[] x, int k) {
        double n = 0.0;
        for (int i = 0; i < k; i++) {
            n += x[i] * x[i];
        }
        return n;
    }

    /**
     * x −= s·d with d = {@code ws[2k .. 3k)}, s shortened so as not to run through the walls x ≥ 0; coordinates that
     * reach (or nearly reach) zero are pinned to it. Returns whether one was.
     */
    private static boolean stepWithinTheWalls(double[] x, double[] ws, int k, double step) {
        final int dir = 2 * k;
        for (int i = 0; i < k; i++) {
            final double d = ws[dir + i];
            if (step * d > x[i]) {
                step = x[i] / d;
            }
        }
        boolean wall = false;
        for (int i = 0; i < k; i++) {
            final double move = step * ws[dir + i];
            if (!(move <= x[i] * (1.0 - 1e-14))) { // also pins a NaN move to 0, keeping x ≥ 0
                x[i] = 0.0;
                wall = true;
            } else {
                x[i] -= move;
            }
        }
        return wall;
    }

    /** Spark's stopping rule: a useless or suspicious step, or a direction too small (relatively or absolutely). */
    private static boolean stop(double step, double ndir, double nx) {
        return Double.isNaN(step) || step < 1e-7 || step > 1e40 || ndir < 1e-12 * nx || ndir < 1e-32;
    }

    /**
     * Exact line-search step along d for f(x − s·d): s = (d·r) / (dᵀA d + 1e-20); the tiny term keeps a zero
     * curvature from dividing by zero (Spark does the same). Uses {@code ws[ad .. ad+k)} as scratch.
     */
    private static double stepLength(double[] a, int k, double[] ws, int dir, int res, int ad) {
        symv(a, k, ws, dir, ws, ad);
        double top = 0.0;
        double bottom = 0.0;
        for (int i = 0; i < k; i++) {
            final double d = ws[dir + i];
            top += d * ws[res + i];
            bottom += d * ws[ad + i];
        }
        return top / (bottom + 1e-20);
    }

    /**
     * out[outOff .. outOff+k) = A · v[vOff .. vOff+k) for a symmetric A given by its upper triangle (row-major),
     * like BLAS {@code dsymv("U")}: each stored a_ij (j &gt; i) contributes to both out_i and out_j.
     */
    private static void symv(double[] a, int k, double[] v, int vOff, double[] out, int outOff) {
        for (int i = 0; i < k; i++) {
            out[outOff + i] = 0.0;
        }
        for (int i = 0; i < k; i++) {
            final int ri = i * k;
            final double vi = v[vOff + i];
            double s = a[ri + i] * vi;
            for (int j = i + 1; j < k; j++) {
                final double aij = a[ri + j];
                s += aij * v[vOff + j];
                out[outOff + j] += aij * vi;
            }
            out[outOff + i] += s;
        }
    }

    /**
     * In-place Cholesky factorisation A = UᵀU of the k×k row-major SPD matrix (upper triangle read, U written to the
     * upper triangle), for solving many right-hand sides with {@link #forwardSolveMirrored} and
     * {@link #backwardSolveUpper}.
     *
     * @return false when a pivot is ≤ 0 or not finite (A not positive definite)
     */
    public static boolean choleskyFactor(double[] a, int k) {
        checkSquare(a, k);
        for (int i = 0; i < k; i++) {
            int ri = i * k;
            double d = a[ri + i];
            for (int p = 0; p < i; p++) {
                double u = a[p * k + i];
                d -= u * u;
            }
            if (!(d > 0.0 && d < Double.POSITIVE_INFINITY)) {
                return false;
            }
            double uii = Math.sqrt(d);
            a[ri + i] = uii;
            double inv = 1.0 / uii;
            for (int j = i + 1; j < k; j++) {
                double sum = a[ri + j];
                for (int p = 0; p < i; p++) {
                    sum -= a[p * k + i] * a[p * k + j];
                }
                a[ri + j] = sum * inv;
            }
        }
        return true;
    }

    /**
     * Copies the upper Cholesky factor U (row-major upper triangle of {@code u}) into the strict lower triangle as Uᵀ,
     * so that both triangular solves below read contiguous rows.
     */
    public static void mirrorFactor(double[] u, int k) {
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                u[j * k + i] = u[i * k + j];
            }
        }
    }

    /**
     * out = the full symmetric k × k matrix whose upper triangle is {@code upper}'s (row-major, stride k), written
     * row-major with stride {@code stride} ≥ k; out's columns and rows past k are not touched.
     */
    public static void symmetricCopy(double[] upper, int k, double[] out, int stride) {
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                double v = upper[i * k + j];
                out[i * stride + j] = v;
                out[j * stride + i] = v;
            }
        }
    }

    /** Solves Uᵀ y = b in place, for a factor {@link #mirrorFactor mirrored} into its lower triangle. */
    public static void forwardSolveMirrored(double[] u, double[] b, int k) {
        for (int i = 0; i < k; i++) {
            final int ri = i * k;
            double sum = b[i];
            for (int p = 0; p < i; p++) {
                sum -= u[ri + p] * b[p];
            }
            b[i] = sum / u[ri + i];
        }
    }

    /** Solves U x = y in place (U: the upper triangle of {@code u}, row-major). */
    public static void backwardSolveUpper(double[] u, double[] b, int k) {
        for (int i = k - 1; i >= 0; i--) {
            final int ri = i * k;
            double sum = b[i];
            for (int j = i + 1; j < k; j++) {
                sum -= u[ri + j] * b[j];
            }
            b[i] = sum / u[ri + i];
        }
    }

    private static void checkSquare(double[] a, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must be >= 0, got " + k);
        }
        if (a.length < (long) k * k) {
            throw new IllegalArgumentException("matrix has " + a.length + " elements, need " + (long) k * k);
        }
    }

    private static void checkLength(double[] v, long need, String name) {
        if (v.length < need) {
            throw new IllegalArgumentException(name + " has " + v.length + " elements, need " + need);
        }
    }
}
