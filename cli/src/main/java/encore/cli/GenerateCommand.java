package encore.cli;

import encore.synth.GeneratorConfig;
import encore.synth.GeneratorSummary;
import encore.synth.ListeningsGenerator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code encore generate}: the embedded default data, a synthetic listenings.csv with planted taste structure. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Write a synthetic listenings.csv (user_id,date,track,artist,album; date in epoch ms) that looks "
                    + "like Last.fm logs: heavy-tailed users, Zipf-like tracks, albums and artists, shared titles, repeated "
                    + "favourites, a little dirt, and planted genre structure that ALS can find.",
            "Deterministic for a seed, whatever the thread count."
        })
final class GenerateCommand implements Callable<Integer> {
    @Option(
            names = "--rows",
            paramLabel = "N",
            description = "Rows to write. Default: ${DEFAULT-VALUE}.",
            defaultValue = "" + GeneratorConfig.DEFAULT_ROWS)
    long rows;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV (written atomically).")
    Path out;

    @Option(names = "--threads", paramLabel = "N", description = "Generator threads. Default: the number of cores.")
    Integer threads;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        GeneratorConfig config;
        try {
            if (rows < 1) {
                throw new IllegalArgumentException("--rows must be >= 1");
            }
            config = GeneratorConfig.forRows(rows, seed);
            if (threads != null) {
                config = config.withThreads(threads);
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, CliFlags.phrase(e.getMessage()));
        }
        ListeningsGenerator gen = new ListeningsGenerator(config);
        GeneratorSummary s = gen.write(out);
        PrintWriter w = cl.getOut();
        if (output.json) {
            java.util.Map<String, Object> m = encore.util.Json.object();
            m.put("out", out.toString());
            m.put("rows", s.rows());
            m.put("valid_plays", s.validPlays());
            m.put("users", gen.users());
            m.put("tracks", gen.tracks());
            m.put("bytes", s.bytes());
            m.put("seconds", s.seconds());
            w.print(encore.util.Json.write(m));
            w.flush();
            return 0;
        }
        if (output.quiet) {
            return 0;
        }
        w.printf(
                Locale.ROOT,
                "Wrote %s: %s rows (%s valid plays), %s users, %s tracks, %s in %s (%s rows/s)%n",
                out,
                Format.count(s.rows()),
                Format.count(s.validPlays()),
                Format.count(gen.users()),
                Format.count(gen.tracks()),
                Format.bytes(s.bytes()),
                Format.secs(s.seconds()),
                Format.count(Math.round(s.rows() / Math.max(1e-9, s.seconds()))));
        w.flush();
        return 0;
    }
}
