package encore.cuda;

import encore.als.AlsParams;
import encore.als.CpuTopKScorer;
import encore.als.Recommendations;
import encore.als.spi.TopKScorer;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The GPU self-test: every kernel against a CPU double-precision reference on fresh random inputs, with the outputs
 * poisoned (NaN) before each run and every GPU run repeated to prove bit-identical reruns. Runs with only a JRE
 * ({@code encore doctor --selftest}); prints one table row per case and returns the number of failed cases.
 * <ul>
 *   <li>solve: f ∈ {8, 10, 16, 32, 64, 100, 128, 256} × explicit/implicit/implicit CG; dst rows with 0, 1, ~50
 *       (median) and 10⁵ entries; GPU factors vs the CPU engine's (relative error per row), every row's
 *       normal-equation residual (exact solves), rows without entries untouched; implicit also checks the Gram.</li>
 *   <li>squared error: the loss/RMSE reduction vs a double sum.</li>
 *   <li>top-k: k ∈ {1, 10, 100, 1000} with and without seen-item exclusion, 1,000 sampled users vs a double
 *       recomputation (order rule, exclusion, tie tolerance).</li>
 *   <li>fit: 5 full iterations of the GPU engine vs the CPU engine (explicit and implicit, f = 32): factors within
 *       the Spark-parity tolerance.</li>
 * </ul>
 */
public final class GpuSelfTest {
    static final int[] RANKS = {8, 10, 16, 32, 64, 100, 128, 256};
    /** GPU vs CPU factor agreement per row (both exact solves in double, stored as float). */
    static final double SOLVE_TOL = 1e-4;
    /** Factors after 5 full iterations (rounding differences compound through the iterations). */
    static final double FIT_TOL = 1e-2;

    private static final int THREADS = Runtime.getRuntime().availableProcessors();

    /** One half-iteration on host arrays (the GPU engine's or the CPU's). */
    private interface HalfStep {
        void solve(Csr ratings, float[] src, float[] dst);
    }

    private final PrintWriter out;
    private final List<String[]> rows = new ArrayList<>();
    private int failures;

    private GpuSelfTest(PrintWriter out) {
        this.out = out;
    }

    /** Runs every case on device 0; returns the number of failed cases (−1 when there is no usable GPU). */
    public static int run(PrintWriter out, boolean quick) {
        GpuDevice dev;
        try {
            dev = GpuDevice.open();
        } catch (GpuUnavailableException e) {
            out.println("selftest: no usable GPU: " + e.getMessage());
            out.flush();
            return -1;
        }
        GpuSelfTest t = new GpuSelfTest(out);
        try (dev) {
            out.println("selftest on " + dev.info().describe());
            out.flush();
            t.all(dev, quick);
        }
        t.table();
        return t.failures;
    }

    private void all(GpuDevice dev, boolean quick) {
        int longRow = quick ? 20_000 : 100_000;
        try (GpuAlsEngine engine = new GpuAlsEngine(dev, false)) {
            for (int f : quick ? new int[] {8, 64} : RANKS) {
                for (boolean implicit : new boolean[] {false, true}) {
                    guard("solve", f, implicit, () -> solveCase(engine, f, implicit, false, longRow));
                }
                guard("solve cg (3 steps)", f, true, () -> solveCase(engine, f, true, true, longRow));
            }
            guard("squared error", 32, false, () -> squaredErrorCase(engine));
            for (boolean implicit : new boolean[] {false, true}) {
                guard("fit 5 iterations", 32, implicit, () -> fitCase(engine, implicit, quick));
            }
        }
        guard("fit/close cycles", 16, true, () -> leakCase(dev, quick ? 100 : 1000));
        GpuTopKScorer topk = new GpuTopKScorer(dev, false);
        for (int k : quick ? new int[] {10} : new int[] {1, 10, 100, 1000}) {
            for (boolean exclude : new boolean[] {false, true}) {
                guard("top-" + k + (exclude ? " excl. seen" : ""), 64, false,
                    () -> topkCase(topk, k, exclude, quick));
            }
        }
    }

    private interface Case {
        String[] run() throws Exception;
    }

    private void guard(String name, int f, boolean implicit, Case c) {
        long t0 = System.nanoTime();
        String[] r;
        try {
            r = c.run();
        } catch (Exception | AssertionError e) {
            r = new String[] {"error", "-", "FAIL " + e};
        }
        boolean ok = r[2].startsWith("ok");
        if (!ok) {
            failures++;
        }
        String[] row = {name, String.valueOf(f), implicit ? "implicit" : "explicit", r[0], r[1], r[2],
            String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e6)};
        rows.add(row);
        out.printf(Locale.ROOT, "  %-22s f=%-4s %-8s %-12s %-10s %s%n", row[0], row[1], row[2], row[3], row[4],
            row[5]);
        out.flush();
    }

    private void table() {
        out.println();
        out.println("| case | f | mode | worst | tolerance | result | ms |");
        out.println("|---|---|---|---|---|---|---|");
        for (String[] r : rows) {
            out.println("| " + String.join(" | ", r) + " |");
        }
        out.printf(Locale.ROOT, "%d of %d cases failed%n", failures, rows.size());
        out.flush();
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    private static String[] verdict(double worst, double tol, String extra) {
        return new String[] {sci(worst), sci(tol), worst <= tol ? "ok" + extra : "FAIL" + extra};
    }

    /** dst rows: 0 entries, 1 entry, ~50 (1…100) entries, one long row of longRow entries, 0 entries again. */
    private String[] solveCase(GpuAlsEngine engine, int f, boolean implicit, boolean cg, int longRow) {
        SplittableRandom rng = new SplittableRandom(f * 7919L + (implicit ? 1 : 0));
        int cols = longRow;
        int rowsN = 64;
        List<int[]> entries = new ArrayList<>();
        for (int r = 0; r < rowsN; r++) {
            int len = r == 0 || r == rowsN - 1 ? 0 : r == 1 ? 1 : r == rowsN - 2 ? longRow : 1 + rng.nextInt(100);
            int[] cs = len == longRow ? java.util.stream.IntStream.range(0, cols).toArray()
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
        Csr m = new Csr(rowsN, cols, ptr, col, val);
        float[] src = new float[cols * f];
        for (int i = 0; i < src.length; i++) {
            src[i] = (float) (rng.nextGaussian() / Math.sqrt(f));
        }
        AlsParams p = AlsParams.builder().rank(f).regParam(0.05).implicitPrefs(implicit).alpha(2)
            .solver(cg ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY).cgSteps(3).build();
        // CG warm-starts from dst: random factors in rows with entries; every other output is poisoned (NaN)
        float[] warm = poisoned(rowsN * f);
        if (cg) {
            for (int r = 0; r < rowsN; r++) {
                for (int d = 0; d < f && m.rowLength(r) > 0; d++) {
                    warm[r * f + d] = (float) (rng.nextGaussian() / Math.sqrt(f));
                }
            }
        }
        float[] cpu = warm.clone();
        CpuHalfIteration.solve(m, src, cpu, p, THREADS);
        float[] gpu = warm.clone();
        engine.solve(m, src, gpu, p);
        float[] again = warm.clone();
        engine.solve(m, src, again, p);
        if (!Arrays.equals(floatBits(gpu), floatBits(again))) {
            return new String[] {"-", "-", "FAIL rerun not bit-identical"};
        }
        double worst = 0;
        double worstResidual = 0;
        for (int r = 0; r < rowsN; r++) {
            if (m.rowLength(r) == 0) {
                for (int d = 0; d < f; d++) {
                    if (!Float.isNaN(gpu[r * f + d])) {
                        return new String[] {"-", "-", "FAIL row " + r + " without entries was written"};
                    }
                }
                continue;
            }
            double num = 0;
            double den = 0;
            for (int d = 0; d < f; d++) {
                double e = gpu[r * f + d] - cpu[r * f + d];
                num += e * e;
                den += (double) cpu[r * f + d] * cpu[r * f + d];
            }
            worst = Math.max(worst, Math.sqrt(num / Math.max(den, 1e-300)));
            worstResidual = Math.max(worstResidual, SpotCheck.relativeResidual(m, r, src, gpu, p, engine.lastGram(),
                new double[f]));
        }
        if (implicit) {
            double[] ref = new double[f * f];
            for (int i = 0; i < cols; i++) {
                for (int a = 0; a < f; a++) {
                    for (int b = 0; b < f; b++) {
                        ref[a * f + b] += (double) src[i * f + a] * src[i * f + b];
                    }
                }
            }
            double ge = 0;
            double gn = 0;
            for (int i = 0; i < ref.length; i++) {
                ge = Math.max(ge, Math.abs(ref[i] - engine.lastGram()[i]));
                gn = Math.max(gn, Math.abs(ref[i]));
            }
            if (ge > 1e-12 * gn) {
                return new String[] {sci(ge / gn), "1e-12", "FAIL Gram"};
            }
        }
        if (cg) {
            return verdict(worst, SpotCheck.CG_TOLERANCE, String.format(Locale.ROOT, " (%.1f ms kernels)",
                engine.lastKernelMillis()));
        }
        if (worstResidual > SpotCheck.TOLERANCE) {
            return new String[] {sci(worstResidual), sci(SpotCheck.TOLERANCE), "FAIL residual"};
        }
        return verdict(worst, SOLVE_TOL, String.format(Locale.ROOT, " (residual %s, %.1f ms kernels)",
            sci(worstResidual), engine.lastKernelMillis()));
    }

    private String[] squaredErrorCase(GpuAlsEngine engine) {
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
        double gpu = engine.squaredError(m, x, y, k);
        double again = engine.squaredError(m, x, y, k);
        if (Double.doubleToLongBits(gpu) != Double.doubleToLongBits(again)) {
            return new String[] {"-", "-", "FAIL rerun not bit-identical"};
        }
        return verdict(Math.abs(gpu - ref) / ref, 1e-12, "");
    }

    private String[] fitCase(GpuAlsEngine engine, boolean implicit, boolean quick) {
        Csr ui = SyntheticMatrix.random(quick ? 2000 : 20_000, quick ? 1500 : 8000, quick ? 40_000 : 600_000, 2, 11);
        Csr iu = ui.transpose();
        int k = 32;
        AlsParams p = AlsParams.builder().rank(k).regParam(0.05).implicitPrefs(implicit).alpha(1).build();
        float[][] cpu = fit((r, s, d) -> CpuHalfIteration.solve(r, s, d, p, THREADS), ui, iu, p);
        float[][] gpu = fit((r, s, d) -> engine.solve(r, s, d, p), ui, iu, p);
        double worst = 0;
        for (int side = 0; side < 2; side++) {
            Csr m = side == 0 ? ui : iu;
            for (int r = 0; r < m.rows(); r++) {
                if (m.rowLength(r) == 0) {
                    continue;
                }
                double num = 0;
                double den = 0;
                for (int d = 0; d < k; d++) {
                    double e = gpu[side][r * k + d] - cpu[side][r * k + d];
                    num += e * e;
                    den += (double) cpu[side][r * k + d] * cpu[side][r * k + d];
                }
                worst = Math.max(worst, Math.sqrt(num / Math.max(den, 1e-300)));
            }
        }
        return verdict(worst, FIT_TOL, "");
    }

    /** Many fits (2 iterations each, fresh engine, closed) leave the device's free memory where it was. */
    private String[] leakCase(GpuDevice dev, int cycles) {
        Csr ui = SyntheticMatrix.random(300, 200, 3000, 2, 13);
        Csr iu = ui.transpose();
        AlsParams p = AlsParams.builder().rank(16).regParam(0.05).implicitPrefs(true).build();
        GpuAlsEngine first = new GpuAlsEngine(dev, false);
        fit2(first, ui, iu, p);
        first.close();
        long before = dev.freeMemory();
        for (int c = 0; c < cycles; c++) {
            GpuAlsEngine e = new GpuAlsEngine(dev, false);
            fit2(e, ui, iu, p);
            e.close();
        }
        long lost = before - dev.freeMemory();
        return new String[] {lost + " B", "0 B", lost <= 0 ? "ok (" + cycles + " cycles)" : "FAIL device memory "
            + "not returned"};
    }

    private static void fit2(GpuAlsEngine e, Csr ui, Csr iu, AlsParams p) {
        HalfStep b = (r, s, d) -> e.solve(r, s, d, p);
        float[] u = new float[ui.rows() * p.rank()];
        Arrays.fill(u, 0.1f);
        float[] it = new float[iu.rows() * p.rank()];
        for (int i = 0; i < 2; i++) {
            b.solve(iu, u, it);
            b.solve(ui, it, u);
        }
    }

    /**
     * Five iterations from the trainer's kind of start (unit random vectors); returns {users, items}. The caller
     * keeps ownership of {@code b}.
     */
    private static float[][] fit(HalfStep b, Csr ui, Csr iu, AlsParams p) {
        int k = p.rank();
        float[] u = new float[ui.rows() * k];
        float[] it = new float[iu.rows() * k];
        SplittableRandom rng = new SplittableRandom(42);
        for (int r = 0; r < ui.rows(); r++) {
            double n = 0;
            for (int d = 0; d < k; d++) {
                u[r * k + d] = (float) rng.nextGaussian();
                n += (double) u[r * k + d] * u[r * k + d];
            }
            for (int d = 0; d < k; d++) {
                u[r * k + d] /= (float) Math.sqrt(n);
            }
        }
        for (int i = 0; i < 5; i++) {
            b.solve(iu, u, it);
            b.solve(ui, it, u);
        }
        return new float[][] {u, it};
    }

    private String[] topkCase(GpuTopKScorer topk, int k, boolean exclude, boolean quick) {
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
        BitSet qHas = new BitSet();
        BitSet cHas = new BitSet();
        for (int i = 0; i < users; i++) {
            if (i % 50 != 7) {
                qHas.set(i);
            }
        }
        for (int j = 0; j < items; j++) {
            if (j % 97 != 1) {
                cHas.set(j);
            }
        }
        Csr seen = exclude ? SyntheticMatrix.random(users, items, users * 40L, 1.5, 3) : null;
        Factors qf = Factors.wrap(q, users, f, qHas);
        Factors cf = Factors.wrap(c, items, f, cHas);
        Recommendations r = topk.topK(qf, cf, k, seen, null);
        Recommendations again = topk.topK(qf, cf, k, seen, null);
        for (int i = 0; i < users; i++) {
            if (!Arrays.equals(r.ids(i), again.ids(i)) || !Arrays.equals(r.scores(i), again.scores(i))) {
                return new String[] {"-", "-", "FAIL rerun not bit-identical"};
            }
        }
        int[] sample = rng.ints(1000, 0, users).toArray();
        for (int s = 0; s < sample.length; s++) {
            String f1 = CheckedTopKScorer.check(subset(r, sample[s]), q, qHas, users, c, cHas, items, f, k, seen,
                new int[] {sample[s]}, 1);
            if (f1 != null) {
                return new String[] {"-", sci(CheckedTopKScorer.TIE), "FAIL " + f1};
            }
        }
        Recommendations ref;
        try (TopKScorer cpu = new CpuTopKScorer(THREADS)) {
            ref = cpu.topK(qf, cf, k, seen, null);
        }
        int same = 0;
        for (int i = 0; i < users; i++) {
            if (Arrays.equals(ref.ids(i), r.ids(i))) {
                same++;
            }
        }
        return new String[] {String.format(Locale.ROOT, "%d/%d", same, users), sci(CheckedTopKScorer.TIE),
            String.format(Locale.ROOT, "ok (1000 users checked; %d lists identical to the CPU's; %.1f ms kernel)",
                same, topk.lastKernelMillis())};
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
