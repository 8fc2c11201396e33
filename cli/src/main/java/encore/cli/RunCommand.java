package encore.cli;

import encore.als.Als;
import encore.als.AlsParams;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import encore.pipeline.RunOptions;
import encore.pipeline.RunPipeline;
import encore.util.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code encore run}: the Spark ALS recipe end to end. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The Spark ALS recipe in one command: read a listenings CSV, clean, count plays per (user, item), index, "
                    + "split (default: --split 0.5), fit ALS (recipe defaults: --rank 10 --max-iter 5 --reg 0.01, explicit on the "
                    + "counts), predict the test pairs (RMSE/MAE), recommend the top K for every user, and compare precision@K "
                    + "with a most-popular baseline.",
            "Writes DIR/recommendations.csv (user_id,rank,item,score), DIR/users.csv, DIR/items.csv and DIR/metrics.json."
        })
final class RunCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            paramLabel = "FILE",
            description = "The listenings CSV (plain or gzip; - for standard input).")
    Path data;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "listenings",
            description =
                    "listenings (--data) or triples (--train and --test: 'user item value' lines, tab/comma/space "
                            + "separated, optional header, extra columns ignored). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--train", paramLabel = "FILE", description = "Training triples (with --format triples).")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", description = "Test triples (with --format triples).")
    Path test;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @CommandLine.Mixin
    FrontEndOptions front;

    @CommandLine.Mixin
    AlsOptions alsOptions;

    @Option(
            names = "--top",
            defaultValue = "10",
            description = "K: recommendations per user, and the cut-off of "
                    + "the ranking metrics. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(
            names = "--exclude-seen",
            description = "Leave each user's training items out of recommendations.csv "
                    + "(ranking metrics always exclude them).")
    boolean excludeSeen;

    @CommandLine.Mixin
    BackendOption backend;

    @Option(
            names = "--show",
            defaultValue = "5",
            description = "Users whose top lists are printed. Default: " + "${DEFAULT-VALUE}.")
    int show;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        RunOptions options = options(cl);
        PrintWriter w = cl.getOut();
        RunPipeline.Result r = RunPipeline.run(options, out, Progress.of(w, output.json || output.quiet));
        if (output.json) {
            w.print(Json.write(r.metrics()));
        } else if (!output.quiet) {
            RunSummary.print(w, r, options, out, show);
        }
        w.flush();
        return 0;
    }

    private RunOptions options(CommandLine cl) {
        AlsParams params = alsOptions.params(cl);
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        Als als = Als.with(params).backend(backend.name(cl)).threads(front.threads(cl));
        switch (format.toLowerCase(Locale.ROOT)) {
            case "listenings" -> {
                if (data == null) {
                    throw new CommandLine.ParameterException(
                            cl, "--data FILE is required (or --format triples " + "with --train and --test)");
                }
                if (train != null || test != null) {
                    throw new CommandLine.ParameterException(cl, "--train/--test need --format triples");
                }
                PrepareOptions prep = front.prepareOptions(cl, SplitSpec.random(0.5, front.seed));
                return new RunOptions(data, prep, null, null, als, top, excludeSeen);
            }
            case "triples" -> {
                if (train == null || test == null || data != null) {
                    throw new CommandLine.ParameterException(
                            cl, "--format triples needs --train FILE and --test FILE " + "(and no --data)");
                }
                return new RunOptions(null, null, train, test, als, top, excludeSeen);
            }
            default ->
                throw new CommandLine.ParameterException(
                        cl, "invalid --format '" + format + "': expected listenings or triples");
        }
    }
}
