package encore.cuda;

import encore.als.Als;
import encore.als.AlsFit;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FitResult;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The GPU self-test: every kernel against a CPU double-precision reference on fresh random inputs, with the outputs
 * poisoned (NaN) before each run and every GPU run repeated to prove bit-identical reruns. Runs with only a JRE
 * ({@code encore doctor --selftest}); prints one table row per case and returns the number of failed cases.
 * <ul>
 *   <li>solve: f ∈ {8, 10, 16, 32, 64, 100, 128, 256} × explicit/implicit/implicit CG; dst rows with 0, 1, ~50
 *       (median) and 10⁵ entries; GPU factors vs the CPU engine's (relative error per row), every row's
 *       normal-equation residual (exact solves), rows without entries untouched; implicit also checks the Gram
 *       ({@link KernelCases}).</li>
 *   <li>squared error: the loss/RMSE reduction vs a double sum.</li>
 *   <li>top-k: k ∈ {1, 10, 100, 1000} with and without seen-item exclusion, 1,000 sampled users vs a double
 *       recomputation (order rule, exclusion, tie tolerance).</li>
 *   <li>fit: 5 iterations of the estimator on backend gpu (the checked backend, which throws instead of falling back)
 *       vs backend cpu (explicit and implicit, f = 32): factors within the Spark-parity tolerance.</li>
 *   <li>fit/close cycles: many short fits on fresh engines leave the device's free memory where it was.</li>
 * </ul>
 */
public final class GpuSelfTest {
    static final int[] RANKS = {8, 10, 16, 32, 64, 100, 128, 256};
    /** Factors after 5 full iterations (rounding differences compound through the iterations). */
    static final double FIT_TOL = 1e-2;

    static final int THREADS = Runtime.getRuntime().availableProcessors();

    private final PrintWriter out;
    private final List<String[]> rows = new ArrayList<>();
    private int failures;

    private GpuSelfTest(PrintWriter out) {
        this.out = out;
    }

    /** Runs every case on device 0; returns the number of failed cases (−1 when there is no usable GPU). */
    public static int run(PrintWriter out, boolean quick) {
        UncheckedGpu gpu;
        try {
            gpu = UncheckedGpu.open();
        } catch (GpuUnavailableException e) {
            out.println("selftest: no usable GPU: " + e.getMessage());
            out.flush();
            return -1;
        }
        GpuSelfTest t = new GpuSelfTest(out);
        try (gpu) {
            out.println("selftest on " + gpu.info().describe());
            out.flush();
            t.all(gpu, quick);
        }
        t.table();
        return t.failures;
    }

    private void all(UncheckedGpu gpu, boolean quick) {
        KernelCases kernels = new KernelCases(gpu, quick);
        for (int f : quick ? new int[] {8, 64} : RANKS) {
            for (boolean implicit : new boolean[] {false, true}) {
                guard("solve", f, implicit, () -> kernels.solve(f, implicit, false));
            }
            guard("solve cg (3 steps)", f, true, () -> kernels.solve(f, true, true));
        }
        guard("squared error", 32, false, kernels::squaredError);
        for (boolean implicit : new boolean[] {false, true}) {
            guard("fit 5 iterations", 32, implicit, () -> fitCase(implicit, quick));
        }
        guard("fit/close cycles", 16, true, () -> leakCase(gpu.device(), quick ? 100 : 1000));
        for (int k : quick ? new int[] {10} : new int[] {1, 10, 100, 1000}) {
            for (boolean exclude : new boolean[] {false, true}) {
                guard("top-" + k + (exclude ? " excl. seen" : ""), 64, false, () -> kernels.topK(k, exclude));
            }
        }
    }

    /** A case's {worst, tolerance, result}; the result starts with "ok" when the case passes. */
    interface Case {
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
        String[] row = {
            name,
            String.valueOf(f),
            implicit ? "implicit" : "explicit",
            r[0],
            r[1],
            r[2],
            String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e6)
        };
        rows.add(row);
        out.printf(Locale.ROOT, "  %-22s f=%-4s %-8s %-12s %-10s %s%n", row[0], row[1], row[2], row[3], row[4], row[5]);
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

    static String sci(double v) {
        return String.format(Locale.ROOT, "%.2e", v);
    }

    static String[] verdict(double worst, double tol, String extra) {
        return new String[] {sci(worst), sci(tol), worst <= tol ? "ok" + extra : "FAIL" + extra};
    }

    /** Five iterations of the estimator on backend gpu vs backend cpu, from the estimator's own initial factors. */
    private static String[] fitCase(boolean implicit, boolean quick) {
        Csr ui = SyntheticMatrix.random(quick ? 2000 : 20_000, quick ? 1500 : 8000, quick ? 40_000 : 600_000, 2, 11);
        AlsParams p = AlsParams.builder()
                .rank(32)
                .maxIter(5)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(1)
                .build();
        Als als = Als.with(p).threads(THREADS);
        AlsModel cpu = als.backend("cpu").fit(ui).model();
        FitResult gpu = als.backend("gpu").fit(ui);
        if (!gpu.engine().equals("gpu")) {
            return new String[] {"-", "-", "FAIL the fit ran on " + gpu.engine() + ": " + gpu.fallbackReason()};
        }
        double worst = Math.max(
                worstRowError(gpu.model().userFactors(), cpu.userFactors()),
                worstRowError(gpu.model().itemFactors(), cpu.itemFactors()));
        return verdict(worst, FIT_TOL, "");
    }

    /** The largest ‖a_r − b_r‖ / ‖b_r‖ over the present rows of {@code b}. */
    static double worstRowError(Factors a, Factors b) {
        double worst = 0;
        for (int r = b.nextPresent(0); r >= 0; r = b.nextPresent(r + 1)) {
            double num = 0;
            double den = 0;
            for (int d = 0; d < b.rank(); d++) {
                double e = a.get(r, d) - b.get(r, d);
                num += e * e;
                den += (double) b.get(r, d) * b.get(r, d);
            }
            worst = Math.max(worst, Math.sqrt(num / Math.max(den, 1e-300)));
        }
        return worst;
    }

    /** Many fits (2 iterations each, fresh engine, closed) leave the device's free memory where it was. */
    private static String[] leakCase(GpuDevice dev, int cycles) {
        Csr ui = SyntheticMatrix.random(300, 200, 3000, 2, 13);
        Csr iu = ui.transpose();
        AlsParams p =
                AlsParams.builder().rank(16).regParam(0.05).implicitPrefs(true).build();
        twoIterations(dev, ui, iu, p);
        long before = dev.freeMemory();
        for (int c = 0; c < cycles; c++) {
            twoIterations(dev, ui, iu, p);
        }
        long lost = before - dev.freeMemory();
        return new String[] {
            lost + " B", "0 B", lost <= 0 ? "ok (" + cycles + " cycles)" : "FAIL device memory " + "not returned"
        };
    }

    private static void twoIterations(GpuDevice dev, Csr ui, Csr iu, AlsParams p) {
        int k = p.rank();
        float[] u = new float[ui.rows() * k];
        Arrays.fill(u, 0.1f);
        AlsFit.State initial = new AlsFit.State(
                Factors.wrap(u, ui.rows(), k, ui.nonEmptyRows()), Factors.zeros(iu.rows(), k, iu.nonEmptyRows()));
        try (GpuAlsEngine e = new GpuAlsEngine(DeviceLease.borrowed(dev));
                AlsFit fit = e.startFit(ui, iu, initial, p)) {
            for (int i = 0; i < 2; i++) {
                fit.solveItems();
                fit.solveUsers();
            }
        }
    }
}
