package encore.bench;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FitResult;
import encore.cuda.SyntheticMatrix;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.matrix.Csr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seconds per ALS iteration of the CPU engine at several ranks, explicit (the seed's settings: regParam 0.01, counts as
 * ratings) and implicit (alpha 10, regParam 0.1; Cholesky and, with {@code --solvers cholesky,cg}, CG), on one of:
 *
 * <ul>
 *   <li>the training half of a 50/50 split of listenings ({@code --data FILE}, or generated: {@code --rows N --seed
 *       S}), with the time of top-10 for every user;
 *   <li>{@code --shape lastfm360k}: the Last.fm-360K-shaped synthetic matrix of the device check (358 K users × 292 K
 *       items, 17.5 M entries, log-normal row lengths, Zipf-like items; {@code --scale F} for a fraction of it), fitted
 *       in index space; no recommend-all (358 K × 292 K scores).
 * </ul>
 *
 * After an untimed JIT warm-up, each fit runs {@code --iters} iterations; the table shows the median iteration and the
 * same in core-seconds (seconds × threads), so machines with different core counts compare.
 */
final class AlsBenchmark {
    private AlsBenchmark() {}

    /** One fit of the benchmark's data with the given parameters, on the CPU engine. */
    private interface Fitter {
        FitResult fit(AlsParams params);
    }

    static int run(String[] args) throws IOException {
        Path data = null;
        String shape = null;
        double scale = 1;
        long rows = 13_758_905L;
        long seed = 1;
        int iters = 3;
        int threads = Runtime.getRuntime().availableProcessors();
        int[] ranks = {10, 64, 128};
        List<String> modes = List.of("explicit", "implicit");
        List<String> solvers = List.of("cholesky");
        Path report = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--data" -> data = Path.of(v);
                case "--shape" -> shape = v;
                case "--scale" -> scale = Double.parseDouble(v);
                case "--rows" -> rows = Long.parseLong(v);
                case "--seed" -> seed = Long.parseLong(v);
                case "--iters" -> iters = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--ranks" -> ranks = ints(v);
                case "--modes" -> modes = List.of(v.split(","));
                case "--solvers" -> solvers = List.of(v.split(","));
                case "--report" -> report = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (shape != null && !shape.equals("lastfm360k")) {
            throw new IllegalArgumentException("unknown --shape " + shape + ": expected lastfm360k");
        }
        int t = threads;
        String what;
        Fitter fitter;
        Interactions train = null;
        if (shape != null) {
            long t0 = System.nanoTime();
            Csr ui = SyntheticMatrix.random(
                    (int) (358_000 * scale), (int) (292_000 * scale), (long) (17_500_000 * scale), 2.2, 360);
            what = String.format(
                    Locale.ROOT,
                    "the Last.fm-360K-shaped matrix%s: %,d users, %,d items, %,d entries (built in %.1f s)",
                    scale == 1 ? "" : " at scale " + scale,
                    ui.rows(),
                    ui.cols(),
                    ui.nnz(),
                    (System.nanoTime() - t0) / 1e9);
            fitter = p -> Als.with(p).backend("cpu").threads(t).fit(ui);
        } else {
            Path file = data != null ? data : FrontEndBenchmark.cachedListenings(rows, seed);
            Prepared p = Prepare.run(file, new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.random(0.5, 42)));
            Interactions tr = p.train();
            train = tr;
            what = String.format(
                    Locale.ROOT,
                    "`%s` (training half of a 50/50 split: %,d pairs, %,d users, %,d items)",
                    file.getFileName(),
                    tr.nnz(),
                    tr.users().size(),
                    tr.items().size());
            fitter = q -> Als.with(q).backend("cpu").threads(t).fit(tr);
        }
        String machine = String.format(
                Locale.ROOT,
                "CPU engine, %d threads (%d cores), Java %s",
                threads,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.printf(Locale.ROOT, "ALS on %s; %s%n", what, machine);
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "ALS on %s; %s; %d iterations per fit after a JIT warm-up, median iteration shown.%n%n",
                what,
                machine,
                iters));
        md.append("| mode | solver | rank | s / iteration | core-s / iteration |"
                + (train != null ? " recommend-all top-10 s |" : "") + "\n|---|---|---:|---:|---:|"
                + (train != null ? "---:|" : "") + "\n");
        // warm the JIT once (a 2-iteration rank-10 fit of each mode and solver timed below), untimed
        for (String mode : modes) {
            for (String solver : solvers) {
                if (!solver.equals("cg") || mode.equals("implicit")) {
                    fitter.fit(params(mode.equals("implicit"), solver, 10, 2));
                }
            }
        }
        for (String mode : modes) {
            boolean implicit = mode.equals("implicit");
            for (String solver : solvers) {
                if (solver.equals("cg") && !implicit) {
                    continue; // CG is implicit-only
                }
                for (int rank : ranks) {
                    FitResult fit = fitter.fit(params(implicit, solver, rank, iters));
                    double perIter = median(fit.iterationSeconds());
                    String rec = "";
                    if (train != null) {
                        AlsModel m = fit.model();
                        long t0 = System.nanoTime();
                        m.recommendForAllUsers(10, null);
                        rec = String.format(Locale.ROOT, " %.2f |", (System.nanoTime() - t0) / 1e9);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "  %-8s %-8s rank %3d: %s s/iteration (%s core-s; iterations %s)%s%n",
                            mode,
                            solver,
                            rank,
                            fmt(perIter),
                            fmt(perIter * threads),
                            fit.iterationSeconds(),
                            rec.isEmpty() ? "" : ", recommend-all" + rec.replace("|", "s"));
                    md.append(String.format(
                            Locale.ROOT,
                            "| %s | %s | %d | %s | %s |%s%n",
                            mode,
                            solver,
                            rank,
                            fmt(perIter),
                            fmt(perIter * threads),
                            rec));
                }
            }
        }
        System.out.println();
        System.out.print(md);
        if (report != null) {
            Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        }
        return 0;
    }

    private static AlsParams params(boolean implicit, String solver, int rank, int iters) {
        return AlsParams.builder()
                .rank(rank)
                .maxIter(iters)
                .regParam(implicit ? 0.1 : 0.01)
                .implicitPrefs(implicit)
                .alpha(10)
                .solver(AlsParams.Solver.parse(solver))
                .build();
    }

    static int[] ints(String s) {
        String[] parts = s.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i].trim());
        }
        return out;
    }

    private static String fmt(double s) {
        return String.format(Locale.ROOT, "%.2f", s);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
