package encore.cli;

import encore.als.Als;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Backends;
import encore.als.FitResult;
import encore.als.io.ModelStore;
import encore.data.Interactions;
import encore.data.ListeningsReader;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.PreparedFiles;
import encore.data.SplitSpec;
import encore.data.TriplesReader;
import encore.util.AtomicOutput;
import encore.util.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore train}: fit ALS and save the model. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Fit ALS on a listenings CSV (or on training triples) and save the model to a file that "
                    + "'encore recommend' and 'encore evaluate' read. With --split/--holdout, fits on the training part and "
                    + "can write the held-out part (--test-out) for 'encore evaluate'."
        })
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            paramLabel = "FILE",
            description = "The listenings CSV (plain or gzip; - for standard input).")
    Path data;

    @Option(
            names = "--format",
            defaultValue = "listenings",
            description = "listenings (--data) or triples (--train). " + "Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--train", paramLabel = "FILE", description = "Training triples (with --format triples).")
    Path train;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Where to save the model.")
    Path model;

    @Option(
            names = "--test-out",
            paramLabel = "FILE",
            description = "Write the held-out pairs here (TSV), " + "with --split or --holdout.")
    Path testOut;

    @CommandLine.Mixin
    FrontEndOptions front;

    @CommandLine.Mixin
    AlsOptions alsOptions;

    @CommandLine.Mixin
    BackendOption backend;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        AlsParams params = alsOptions.params(cl);
        try (Backends.Choice choice = Backends.choose(backend.name(cl))) { // an unavailable backend fails first
            AtomicOutput.checkWritableDirectory(model.toAbsolutePath().getParent()); // before any work
            if (testOut != null) {
                AtomicOutput.checkWritableDirectory(testOut.toAbsolutePath().getParent());
            }
            return train(
                    cl,
                    Als.with(params)
                            .backend(choice)
                            .threads(front.threads(cl))
                            .listener(Progress.of(cl.getOut(), output.quiet || output.json)));
        }
    }

    private int train(CommandLine cl, Als als) throws IOException {
        AlsParams params = als.params();
        PrintWriter w = cl.getOut();
        Interactions trainSet;
        String source;
        Prepared prepared = null;
        switch (format.toLowerCase(Locale.ROOT)) {
            case "listenings" -> {
                if (data == null || train != null) {
                    throw new CommandLine.ParameterException(
                            cl, "--data FILE is required (or --format triples --train FILE)");
                }
                PrepareOptions prep = front.prepareOptions(cl, SplitSpec.none());
                if (testOut != null && prep.split().kind() == SplitSpec.Kind.NONE) {
                    throw new CommandLine.ParameterException(cl, "--test-out needs --split or --holdout");
                }
                prepared = Prepare.run(data, prep);
                trainSet = prepared.train();
                source = ListeningsReader.shownName(data).toString();
            }
            case "triples" -> {
                if (train == null || data != null) {
                    throw new CommandLine.ParameterException(cl, "--format triples needs --train FILE (and no --data)");
                }
                trainSet = TriplesReader.readTrain(train);
                source = train.toString();
            }
            default ->
                throw new CommandLine.ParameterException(
                        cl, "invalid --format '" + format + "': expected listenings or triples");
        }
        long t0 = System.nanoTime();
        FitResult fit = als.fit(trainSet);
        AlsModel m = fit.model();
        String engine = fit.engine();
        String fallbackReason = fit.fallbackReason();
        double fitSecs = (System.nanoTime() - t0) / 1e9;
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("created_by", "encore " + EncoreCli.version());
        meta.put("created_at", Instant.now().toString());
        meta.put("source", source);
        meta.put("backend", engine);
        ModelStore.save(model, m, trainSet.userItems(), meta);
        if (testOut != null && prepared != null) {
            PreparedFiles.writeTsv(testOut, prepared.split().test());
        }
        Map<String, Object> report = Json.object();
        report.put("model", model.toString());
        report.put("bytes", Files.size(model));
        report.put("users", m.users().size());
        report.put("items", m.items().size());
        report.put("train_pairs", trainSet.nnz());
        report.put("backend", engine);
        report.put("fallback_reason", fallbackReason);
        report.put("fit_s", fitSecs);
        if (output.json) {
            w.print(Json.write(report));
        } else if (!output.quiet) {
            w.printf(
                    Locale.ROOT,
                    "Trained %s ALS (rank %d, %d iterations) on %s pairs, %s users, %s items in %s on %s%n",
                    params.implicitPrefs() ? "implicit" : "explicit",
                    params.rank(),
                    params.maxIter(),
                    Format.count(trainSet.nnz()),
                    Format.count(m.users().size()),
                    Format.count(m.items().size()),
                    Format.secs(fitSecs),
                    engine);
            if (fallbackReason != null) {
                w.printf(Locale.ROOT, "Backend note: %s%n", fallbackReason);
            }
            w.printf(
                    Locale.ROOT,
                    "Saved %s (%s)%s%n",
                    model,
                    Format.bytes(Files.size(model)),
                    testOut == null ? "" : "; held-out pairs in " + testOut);
        }
        w.flush();
        return 0;
    }
}
