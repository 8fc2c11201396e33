package encore.cuda;

import encore.als.AlsParams;
import encore.als.CpuTopKScorer;
import encore.als.Recommendations;
import encore.als.TopKScorer;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The kernel cases of {@link GpuSelfTest}: one half-iteration (solve_rows / cg_rows, with the Gram), the squared-error
 * reduction and top-k, each on the raw engines against a CPU reference, each run twice to prove bit-identical reruns.
 * Every case returns {worst, tolerance, result}.
 */
final class KernelCases {
    /** GPU vs CPU factor agreement per row (both exact solves in double, stored as float). */
    static final double SOLVE_TOL = 1e-4;

    private final UncheckedGpu gpu;
    private final boolean quick;

    KernelCases(UncheckedGpu gpu, boolean quick) {
        this.gpu = gpu;
        this.quick = quick;
    }

    /** One half-iteration at rank f: GPU vs the CPU engine, residuals, untouched empty rows, the Gram. */
    String[] solve(int f, boolean implicit, boolean cg) {
        SplittableRandom rng = new SplittableRandom(f * 7919L + (implicit ? 1 : 0));
        Csr m = solveMatrix(quick ? 20_000 : 100_000, implicit, rng);
        float[] src = new float[m.cols() * f];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) (rng.nextGaussian() / Math.sqrt(f));
        }
        AlsParams p = AlsParams.builder()
                .rank(f)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(2)
                .solver(cg ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY)
                .cgSteps(3)
                .build();
        // CG warm-starts from dst: random factors in rows with entries; every other output is poisoned (NaN)
        float[] warm = poisoned(m.rows() * f);
        for (int r = 0; cg && r < m.rows(); r++) {
            for (int d = 0; d < f && m.rowLength(r) > 0; d++) {
                warm[r * f + d] = (float) (rng.nextGaussian() / Math.sqrt(f));
            }
        }
        float[] cpu = warm.clone();
        CpuHalfIteration.solve(m, src, cpu, p, GpuSelfTest.THREADS);
        GpuAlsEngine engine = gpu.alsEngine();
        float[] out = warm.clone();
        double[] gram = engine.solveRows(m, src, null, out, p);
        double kernelMs = engine.lastKernelMillis();
        float[] again = warm.clone();
        engine.solveRows(m, src, null, again, p);
        if (!Arrays.equals(floatBits(out), floatBits(again))) {
            return new String[] {"-", "-", "FAIL rerun not bit-identical"};
        }
        return judgeSolve(new SpotCheck.Solution(m, src, out, p, gram), cpu, kernelMs);
    }

    /** dst rows: 0 entries, 1 entry, ~50 (1…100) entries, one long row of {@code longRow} entries, 0 entries again. */
    private static Csr solveMatrix(int longRow, boolean implicit, SplittableRandom rng) {
        int cols = longRow;
        int rowsN = 64;
        List<int[]> entries = new ArrayList<>();
        for (int r = 0; r < rowsN; r++) {
            int len = r == 0 || r == rowsN - 1 ? 0 : r == 1 ? 1 : r == rowsN - 2 ? longRow : 1 + rng.nextInt(100);
            int[] cs = len == longRow
                    ? IntStream.range(0, cols).toArray()
                    : rng.ints(len * 2L, 0, cols).distinct().limit(len).sorted().toArray();
            entries.add(cs);
        }
        int nnz = entries.stream().mapToInt(a -> a.length).sum();
        int[] ptr = new int[rowsN + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int at = 0;
        for (int r = 0; r < rowsN; r++) {
            for (int c : entries.get(r)) {
                col[at] = c;
                val[at] = implicit ? (rng.nextInt(10) == 0 ? -1 : 1 + rng.nextInt(30)) : 1 + rng.nextInt(5);
                at++;
            }
            ptr[r + 1] = at;
        }
        return new Csr(rowsN, cols, ptr, col, val);
    }

    private static String[] judgeSolve(SpotCheck.Solution s, float[] cpu, double kernelMs) {
        Csr m = s.ratings();
        float[] out = s.dst();
        int f = s.params().rank();
        double worst = 0;
        double worstResidual = 0;
        RowResiduals residuals = new RowResiduals(s);
        double[] ax = new double[f];
        double[] b = new double[f];
        for (int r = 0; r < m.rows(); r++) {
            if (m.rowLength(r) == 0) {
                for (int d = 0; d < f; d++) {
                    if (!Float.isNaN(out[r * f + d])) {
                        return new String[] {"-", "-", "FAIL row " + r + " without entries was written"};
                    }
                }
                continue;
            }
            double num = 0;
            double den = 0;
            for (int d = 0; d < f; d++) {
                double e = out[r * f + d] - cpu[r * f + d];
                num += e * e;
                den += (double) cpu[r * f + d] * cpu[r * f + d];
            }
            worst = Math.max(worst, Math.sqrt(num / Math.max(den, 1e-300)));
            worstResidual = Math.max(worstResidual, residuals.of(r, ax, b));
        }
        if (s.params().implicitPrefs()) {
            double ge = gramError(s.src(), m.cols(), f, s.gram());
            if (!(ge <= 1e-12)) {
                return new String[] {GpuSelfTest.sci(ge), "1e-12", "FAIL Gram"};
            }
        }
        if (s.params().solver() == AlsParams.Solver.CG) {
            return GpuSelfTest.verdict(
                    worst, SpotCheck.CG_TOLERANCE, String.format(Locale.ROOT, " (%.1f ms kernels)", kernelMs));
        }
        if (worstResidual > SpotCheck.TOLERANCE) {
            return new String[] {GpuSelfTest.sci(worstResidual), GpuSelfTest.sci(SpotCheck.TOLERANCE), "FAIL residual"};
        }
        return GpuSelfTest.verdict(
                worst,
                SOLVE_TOL,
                String.format(
                        Locale.ROOT, " (residual %s, %.1f ms kernels)", GpuSelfTest.sci(worstResidual), kernelMs));
    }

    /** max |G − YᵀY| / max |YᵀY| against a double reference (∞ when the engine gave no Gram). */
    private static double gramError(float[] y, int rows, int f, double[] gram) {
        if (gram == null || gram.length != f * f) {
            return Double.POSITIVE_INFINITY;
        }
        double[] ref = new double[f * f];
        for (int i = 0; i < rows; i++) {
            for (int a = 0; a < f; a++) {
                for (int b = 0; b < f; b++) {
                    ref[a * f + b] += (double) y[i * f + a] * y[i * f + b];
                }
            }
        }
        double ge = 0;
        double gn = 0;
        for (int i = 0; i < ref.length; i++) {
            ge = Math.max(ge, Math.abs(ref[i] - gram[i]));
            gn = Math.max(gn, Math.abs(ref[i]));
        }
        return ge / gn;
    }

    /** The squared_error reduction vs a double sum. */
    String[] squaredError() {
        Csr m = SyntheticMatrix.random(3000, 2000, 60_000, 2, 5);
        int k = 32;
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[m.rows() * k];
        float[] y = new float[m.cols() * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian() * 0.3f;
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) rng.nextGaussian() * 0.3f;
        }
        double ref = 0;
        for (int r = 0; r < m.rows(); r++) {
            for (int q = m.rowStart(r); q < m.rowEnd(r); q++) {
                double s = 0;
                for (int d = 0; d < k; d++) {
                    s += (double) x[r * k + d] * y[m.colIdx()[q] * k + d];
                }
                ref += (m.values()[q] - s) * (m.values()[q] - s);
            }
        }
        double sum = gpu.alsEngine().squaredError(m, x, y, k);
        double again = gpu.alsEngine().squaredError(m, x, y, k);
        if (Double.doubleToLongBits(sum) != Double.doubleToLongBits(again)) {
            return new String[] {"-", "-", "FAIL rerun not bit-identical"};
        }
        return GpuSelfTest.verdict(Math.abs(sum - ref) / ref, 1e-12, "");
    }

    /** Top-k for every user (with exact ties, cold users and items) vs the scorer's check and the CPU scorer. */
    String[] topK(int k, boolean exclude) {
        int users = quick ? 1000 : 3000;
        int items = quick ? 5000 : 50_000;
        int f = 64;
        SplittableRandom rng = new SplittableRandom(k * 31L + (exclude ? 1 : 0));
        float[] q = new float[users * f];
        float[] c = new float[items * f];
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) (rng.nextGaussian() * (1 + (i / f) % 7));
        }
        for (int j = 0; j + 3 < items; j += 101) {
            System.arraycopy(c, j * f, c, (j + 3) * f, f); // exact ties
        }
        Factors qf = Factors.wrap(q, users, f, everyBut(users, 50, 7));
        Factors cf = Factors.wrap(c, items, f, everyBut(items, 97, 1));
        Csr seen = exclude ? SyntheticMatrix.random(users, items, users * 40L, 1.5, 3) : null;
        Recommendations r = gpu.topK(qf, cf, k, seen, null);
        Recommendations again = gpu.topK(qf, cf, k, seen, null);
        for (int i = 0; i < users; i++) {
            if (!Arrays.equals(r.ids(i), again.ids(i)) || !Arrays.equals(r.scores(i), again.scores(i))) {
                return new String[] {"-", "-", "FAIL rerun not bit-identical"};
            }
        }
        for (int s : rng.ints(1000, 0, users).toArray()) {
            String f1 = GpuTopKScorer.check(subset(r, s), new GpuTopKScorer.Call(qf, cf, k, seen, new int[] {s}), 1);
            if (f1 != null) {
                return new String[] {"-", GpuSelfTest.sci(GpuTopKScorer.TIE), "FAIL " + f1};
            }
        }
        Recommendations ref;
        try (TopKScorer cpu = new CpuTopKScorer(GpuSelfTest.THREADS)) {
            ref = cpu.topK(qf, cf, k, seen, null);
        }
        int same = 0;
        for (int i = 0; i < users; i++) {
            if (Arrays.equals(ref.ids(i), r.ids(i))) {
                same++;
            }
        }
        return new String[] {
            String.format(Locale.ROOT, "%d/%d", same, users),
            GpuSelfTest.sci(GpuTopKScorer.TIE),
            String.format(
                    Locale.ROOT,
                    "ok (1000 users checked; %d lists identical to the CPU's; %.1f ms kernel)",
                    same,
                    gpu.lastTopKKernelMillis())
        };
    }

    /** Rows 0 … n−1 except those ≡ {@code skip} (mod {@code every}). */
    private static BitSet everyBut(int n, int every, int skip) {
        BitSet b = new BitSet(n);
        for (int i = 0; i < n; i++) {
            if (i % every != skip) {
                b.set(i);
            }
        }
        return b;
    }

    private static Recommendations subset(Recommendations r, int row) {
        int k = r.k();
        int[] ids = Arrays.copyOf(r.ids(row), k);
        float[] sc = Arrays.copyOf(r.scores(row), k);
        return Recommendations.of(k, ids, sc, new int[] {r.count(row)});
    }

    private static float[] poisoned(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    private static int[] floatBits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }
}
