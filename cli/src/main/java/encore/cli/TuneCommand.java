package encore.cli;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelStore;
import encore.data.Interactions;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.pipeline.Tuning;
import encore.util.AtomicOutput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore tune}: Spark's TrainValidationSplit + ParamGridBuilder as one command. */
@Command(
        name = "tune",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Grid search: split the (user, item) pairs into train and validation (--train-ratio), fit every "
                    + "combination of --rank x --reg (x --alpha with --implicit), score each on validation with --metric, print "
                    + "the grid sorted best first with the time per fit, write DIR/tuning.csv, then refit the best combination on "
                    + "all the data and save it (like Spark's TrainValidationSplit)."
        })
final class TuneCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "The listenings CSV (plain or gzip; - for standard input).")
    Path data;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Where tuning.csv and the best model go.")
    Path out;

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "Where to save the best model. Default: DIR/best.encore.")
    Path model;

    @Option(
            names = "--rank",
            split = ",",
            defaultValue = "10,32",
            description = "Ranks to try. Default: ${DEFAULT-VALUE}.")
    int[] ranks;

    @Option(
            names = "--reg",
            split = ",",
            defaultValue = "0.01,0.1",
            description = "regParams to try. " + "Default: ${DEFAULT-VALUE}.")
    double[] regs;

    @Option(
            names = "--alpha",
            split = ",",
            defaultValue = "1,10,40",
            description = "Alphas to try (implicit only). " + "Default: ${DEFAULT-VALUE}.")
    double[] alphas;

    @Option(names = "--implicit", description = "Implicit feedback.")
    boolean implicit;

    @Option(names = "--max-iter", defaultValue = "10", description = "Iterations per fit. Default: ${DEFAULT-VALUE}.")
    int maxIter;

    @Option(
            names = "--metric",
            defaultValue = "rmse",
            description =
                    "rmse, mae, precision_at_K, recall_at_K, map_at_K " + "or ndcg_at_K. Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(
            names = "--train-ratio",
            defaultValue = "0.8",
            description = "Share of pairs used for fitting. " + "Default: ${DEFAULT-VALUE}.")
    double trainRatio;

    @CommandLine.Mixin
    BackendOption backend;

    @CommandLine.Mixin
    FrontEndOptions front;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing (tuning.csv and the model are still written).")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (front.random != null || front.holdout != null) {
            throw new CommandLine.ParameterException(
                    cl, "tune splits by --train-ratio; --split/--holdout do not apply");
        }
        if (!(trainRatio > 0 && trainRatio < 1)) {
            throw new CommandLine.ParameterException(cl, "--train-ratio must be in (0, 1)");
        }
        Tuning.Metric m;
        List<AlsParams> grid;
        int threads = front.threads(cl);
        try {
            m = Tuning.Metric.parse(metric);
            AlsParams base =
                    AlsParams.builder().maxIter(maxIter).implicitPrefs(implicit).build();
            grid = Tuning.grid(base, ranks, regs, alphas);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, CliFlags.phrase(e.getMessage()));
        }
        String backendName = backend.name(cl);
        Als als = Als.with(grid.get(0)).backend(backendName).threads(threads);
        PrintWriter w = quiet ? new PrintWriter(java.io.Writer.nullWriter()) : cl.getOut();
        PrepareOptions prep = front.prepareOptions(cl, SplitSpec.random(1 - trainRatio, front.seed));
        Prepared p = Prepare.run(data, prep);
        Interactions train = p.train();
        w.printf(
                Locale.ROOT,
                "%s: %s train and %s validation pairs; %d combinations, metric %s%n",
                p.source(),
                Format.count(train.nnz()),
                Format.count(p.split().test().pairs()),
                grid.size(),
                m.name());
        w.flush();
        List<Tuning.Trial> sorted = Tuning.run(train, p.split().test().toUserItems(), grid, m, als, (i, n, t) -> {
            w.printf(
                    Locale.ROOT,
                    "  [%d/%d] rank %d reg %s%s: %s %.6f (%s)%n",
                    i,
                    n,
                    t.params().rank(),
                    t.params().regParam(),
                    implicit ? " alpha " + t.params().alpha() : "",
                    m.name(),
                    t.score(),
                    Format.secs(t.fitSeconds()));
            w.flush();
        });
        StringBuilder csv = new StringBuilder("rank,reg_param,alpha,implicit," + m.name() + ",fit_s\n");
        w.println();
        w.printf(Locale.ROOT, "%4s %6s %10s %8s %12s %9s%n", "#", "rank", "regParam", "alpha", m.name(), "fit");
        int pos = 1;
        for (Tuning.Trial t : sorted) {
            AlsParams a = t.params();
            w.printf(
                    Locale.ROOT,
                    "%4d %6d %10s %8s %12.6f %9s%n",
                    pos++,
                    a.rank(),
                    a.regParam(),
                    implicit ? String.valueOf(a.alpha()) : "-",
                    t.score(),
                    Format.secs(t.fitSeconds()));
            csv.append(a.rank())
                    .append(',')
                    .append(a.regParam())
                    .append(',')
                    .append(a.alpha())
                    .append(',')
                    .append(a.implicitPrefs())
                    .append(',')
                    .append(t.score())
                    .append(',')
                    .append(String.format(Locale.ROOT, "%.3f", t.fitSeconds()))
                    .append('\n');
        }
        Files.createDirectories(out);
        AtomicOutput.write(out.resolve("tuning.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        AlsParams best = sorted.get(0).params();
        Interactions all = p.plays().toInteractions();
        AlsModel bestModel = als.withParams(best).fit(all).model();
        Path target = model != null ? model : out.resolve("best.encore");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("created_by", "encore " + EncoreCli.version() + " tune");
        meta.put("created_at", Instant.now().toString());
        meta.put("source", p.source().toString());
        meta.put("tuning_metric", m.name());
        meta.put("validation_score", String.valueOf(sorted.get(0).score()));
        ModelStore.save(target, bestModel, all.userItems(), meta);
        w.printf(
                Locale.ROOT,
                "%nBest: rank %d, regParam %s%s (%s %.6f); refitted on all %s pairs and saved to %s; " + "grid in %s%n",
                best.rank(),
                best.regParam(),
                implicit ? ", alpha " + best.alpha() : "",
                m.name(),
                sorted.get(0).score(),
                Format.count(all.nnz()),
                target,
                out.resolve("tuning.csv"));
        w.flush();
        return 0;
    }
}
