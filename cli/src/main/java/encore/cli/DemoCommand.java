package encore.cli;

import encore.als.Als;
import encore.als.AlsParams;
import encore.data.BadRowPolicy;
import encore.data.IngestOptions;
import encore.data.ItemKey;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import encore.pipeline.RunOptions;
import encore.pipeline.RunPipeline;
import encore.synth.GeneratorConfig;
import encore.synth.GeneratorSummary;
import encore.synth.ListeningsGenerator;
import encore.util.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code encore demo}: the embedded default. Generates (once, cached) a listenings file with planted taste
 * structure, runs the whole pipeline with implicit ALS on a per-user holdout, and shows what a person wants to see.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run Encore end to end on built-in synthetic listening logs: generate them once (cached under "
                    + "$ENCORE_HOME or ~/.cache/encore), hold out 20%% of each user's tracks, fit implicit ALS, and compare "
                    + "precision@10 with a most-popular baseline; prints a few users' top-10 tracks with their artists."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--rows",
            defaultValue = "" + GeneratorConfig.DEFAULT_ROWS,
            description = "Rows of generated listening logs. Default: ${DEFAULT-VALUE}.")
    long rows;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--rank", defaultValue = "32", description = "ALS rank. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--max-iter", defaultValue = "10", description = "ALS iterations. Default: ${DEFAULT-VALUE}.")
    int maxIter;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory. Default: <cache>/demo/run.")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: the number of cores.")
    Integer threads;

    @CommandLine.Mixin
    BackendOption backend;

    @Option(
            names = "--show",
            defaultValue = "3",
            description = "Users whose top-10 is printed. Default: ${DEFAULT-VALUE}.")
    int show;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The cache directory: {@code $ENCORE_HOME} or {@code ~/.cache/encore}. */
    static Path home() {
        String env = System.getenv("ENCORE_HOME");
        return env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "encore");
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrintWriter w = cl.getOut();
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        String backendName = backend.name(cl);
        AlsParams als;
        GeneratorConfig gen;
        try {
            if (rows < 1000) {
                throw new IllegalArgumentException("--rows must be >= 1000 for a meaningful demo");
            }
            if (t < 1) {
                throw new IllegalArgumentException("--threads must be >= 1");
            }
            gen = GeneratorConfig.forRows(rows, seed);
            als = AlsParams.builder()
                    .rank(rank)
                    .maxIter(maxIter)
                    .regParam(0.1)
                    .implicitPrefs(true)
                    .alpha(10)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, CliFlags.phrase(e.getMessage()));
        }
        Path dir = home().resolve("demo");
        Path data = dir.resolve("listenings-" + rows + "-seed" + seed + ".csv");
        boolean talk = !output.quiet && !output.json;
        if (!Files.exists(data)) {
            if (talk) {
                w.printf(
                        Locale.ROOT,
                        "Generating %s rows of synthetic listening logs into %s (once) ...%n",
                        Format.count(rows),
                        data);
                w.flush();
            }
            GeneratorSummary s = new ListeningsGenerator(gen).write(data);
            if (talk) {
                w.printf(Locale.ROOT, "  %s in %s%n", Format.bytes(s.bytes()), Format.secs(s.seconds()));
            }
        } else if (talk) {
            w.printf("Using cached %s%n", data);
        }
        IngestOptions ingest =
                new IngestOptions(ItemKey.ARTIST_TRACK, BadRowPolicy.SKIP, t, IngestOptions.DEFAULT_CHUNK_BYTES);
        PrepareOptions prep = new PrepareOptions(ingest, -1, SplitSpec.holdout(0.2, 42));
        RunOptions options = new RunOptions(
                data, prep, null, null, Als.with(als).backend(backendName).threads(t), 10, true);
        Path target = out != null ? out : dir.resolve("run");
        if (talk) {
            w.printf(
                    Locale.ROOT,
                    "Implicit ALS (rank %d, %d iterations, alpha 10) on (user, artist + track) play counts, "
                            + "20%% of each user's tracks held out%n",
                    rank,
                    maxIter);
            w.flush();
        }
        RunPipeline.Result r = RunPipeline.run(options, target, Progress.of(w, !talk));
        if (output.json) {
            w.print(Json.write(r.metrics()));
        } else if (!output.quiet) {
            RunSummary.print(w, r, options, target, show);
        }
        w.flush();
        return 0;
    }
}
