package encore.bench;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.FitResult;
import encore.data.IngestOptions;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Seconds per ALS iteration at several ranks, explicit (the seed's settings: regParam 0.01, counts as ratings) and
 * implicit (alpha 10), and the time of top-10 for every user, on the training half of a 50/50 split. After an
 * untimed JIT warm-up, each fit runs {@code --iters} iterations; the table shows the median iteration.
 */
final class AlsBenchmark {
    private AlsBenchmark() {}

    static int run(String[] args) throws IOException {
        Path data = null;
        long rows = 13_758_905L;
        long seed = 1;
        int iters = 3;
        int[] ranks = {10, 64, 128};
        Path report = null;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data" -> {
                    data = Path.of(v);
                    i++;
                }
                case "--rows" -> {
                    rows = Long.parseLong(v);
                    i++;
                }
                case "--seed" -> {
                    seed = Long.parseLong(v);
                    i++;
                }
                case "--iters" -> {
                    iters = Integer.parseInt(v);
                    i++;
                }
                case "--ranks" -> {
                    ranks = Arrays.stream(v.split(","))
                            .mapToInt(Integer::parseInt)
                            .toArray();
                    i++;
                }
                case "--report" -> {
                    report = Path.of(v);
                    i++;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (data == null) {
            data = FrontEndBenchmark.cachedListenings(rows, seed);
        }
        Prepared p = Prepare.run(data, new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.random(0.5, 42)));
        Interactions train = p.train();
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                Locale.ROOT,
                "ALS on %s: train %,d pairs, %,d users, %,d items; %d threads, Java %s%n",
                data.getFileName(),
                train.nnz(),
                train.users().size(),
                train.items().size(),
                threads,
                System.getProperty("java.version"));
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT,
                "ALS on `%s` (training half of a 50/50 split: %,d pairs, %,d users, %,d "
                        + "items), CPU engine, %d threads, %d iterations per fit after a JIT warm-up, median iteration shown.%n%n",
                data.getFileName(),
                train.nnz(),
                train.users().size(),
                train.items().size(),
                threads,
                iters));
        md.append("| mode | rank | s / iteration | recommend-all top-10 s |\n|---|---:|---:|---:|\n");
        // warm the JIT once (a 2-iteration rank-10 fit of each mode and a recommend-all), untimed
        for (boolean implicit : new boolean[] {false, true}) {
            AlsParams warm = AlsParams.builder()
                    .rank(10)
                    .maxIter(2)
                    .implicitPrefs(implicit)
                    .alpha(10)
                    .build();
            Als.with(warm).backend("cpu").threads(threads).fit(train).model().recommendForAllUsers(10, null);
        }
        for (boolean implicit : new boolean[] {false, true}) {
            for (int rank : ranks) {
                AlsParams params = AlsParams.builder()
                        .rank(rank)
                        .maxIter(iters)
                        .regParam(implicit ? 0.1 : 0.01)
                        .implicitPrefs(implicit)
                        .alpha(10)
                        .build();
                FitResult fit = Als.with(params).backend("cpu").threads(threads).fit(train);
                double perIter = median(fit.iterationSeconds());
                AlsModel m = fit.model();
                long t0 = System.nanoTime();
                m.recommendForAllUsers(10, null);
                double rec = (System.nanoTime() - t0) / 1e9;
                String mode = implicit ? "implicit" : "explicit";
                System.out.printf(
                        Locale.ROOT,
                        "  %-8s rank %3d: %s s/iteration (median of %s), recommend-all %.2f s%n",
                        mode,
                        rank,
                        fmt(perIter),
                        fit.iterationSeconds(),
                        rec);
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f |%n", mode, rank, fmt(perIter), rec));
            }
        }
        System.out.println();
        System.out.print(md);
        if (report != null) {
            Files.writeString(report, md.toString(), StandardCharsets.UTF_8);
        }
        return 0;
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
