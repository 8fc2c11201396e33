package encore.bench.vs;

import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Resolves a scenario's input and writes its split once, before either engine runs: both engines then read the same
 * {@code train.tsv}/{@code test.tsv}.
 */
public final class Prep {
    /** The files both engines read. */
    public record SplitFiles(Path train, Path test) {}

    private Prep() {}

    /** Writes whatever the scenario needs (generated data, split files, warm-up sample). */
    public static int run(String scenario, String[] args) throws IOException {
        Opts o = new Opts(args);
        Path out = Scenario.out(o, scenario);
        Files.createDirectories(out);
        Path dir = out.resolve("split");
        switch (scenario) {
            case "seed" -> {
                Path data = data(o);
                if (!Files.exists(data)) {
                    long rows = o.longValue("rows", 1_000_000);
                    long seed = o.longValue("seed", 1);
                    System.out.printf(Locale.ROOT, "generating %s (%,d rows, seed %d) ...%n", data, rows, seed);
                    Files.createDirectories(data.toAbsolutePath().getParent());
                    new ListeningsGenerator(GeneratorConfig.forRows(rows, seed)).write(data);
                }
                Splits.fromListenings(data, dir, o.real("split", 0.5), false);
                warmupData(o, out);
            }
            case "explicit" -> {
                if (!o.has("train")) {
                    Splits.fromTriples(Path.of(o.need("ratings")), dir, o.real("split", 0.2), false);
                }
            }
            case "implicit" -> {
                if (o.has("triples")) {
                    Splits.fromTriples(Path.of(o.get("triples", "")), dir, o.real("holdout", 0.2), true);
                } else if (o.has("data")) {
                    Splits.fromListenings(Path.of(o.get("data", "")), dir, o.real("holdout", 0.2), true);
                } else {
                    o.need("train");
                }
            }
            case "scaling" -> {
                Path data = Path.of(o.need("data"));
                if (isListenings(data)) {
                    Splits.fromListenings(data, dir, o.real("split", 0.5), false);
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario '" + scenario + "'");
        }
        SplitFiles f = files(o, scenario, out);
        System.out.println("split: " + f.train() + " + " + f.test());
        return 0;
    }

    /** The files of the scenario's split (given with --train/--test, or written by {@link #run}). */
    public static SplitFiles files(Opts o, String scenario, Path out) {
        if (o.has("train")) {
            return new SplitFiles(Path.of(o.need("train")), Path.of(o.need("test")));
        }
        if (scenario.equals("scaling") && !isListenings(Path.of(o.need("data")))) {
            Path data = Path.of(o.need("data"));
            return new SplitFiles(data, data);
        }
        Path dir = out.resolve("split");
        return new SplitFiles(dir.resolve("train.tsv"), dir.resolve("test.tsv"));
    }

    /** The seed scenario's listenings file: {@code --data}, or the generated {@code --rows N --seed S} (cached). */
    public static Path data(Opts o) {
        if (o.has("data")) {
            return Path.of(o.need("data"));
        }
        long rows = o.longValue("rows", 1_000_000);
        long seed = o.longValue("seed", 1);
        return Path.of(
                System.getProperty("user.home"),
                ".cache",
                "encore",
                "bench",
                "listenings-" + rows + "-seed" + seed + ".csv");
    }

    /** The seed scenario's warm-up input: the first {@code --warmup-rows} (default 100,000) rows of the data. */
    public static Path warmupData(Opts o, Path out) throws IOException {
        return Splits.head(data(o), out.resolve("warmup.csv"), o.longValue("warmup-rows", 100_000));
    }

    static boolean isListenings(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".csv") || n.endsWith(".csv.gz");
    }
}
