package encore.spark;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelStore;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Encore model files to and from Spark {@code ALSModel} directories, from the command line ({@link SparkModelFiles};
 * docs/spark-interop.md):
 *
 * <pre>
 *   spark-submit --class encore.spark.ModelInterop encore-spark-all.jar export --model m.encore --out DIR
 *       [--user-col user] [--item-col item] [--overwrite]
 *   spark-submit --class encore.spark.ModelInterop encore-spark-all.jar import --from DIR --out m.encore
 *       [--user-labels FILE] [--item-labels FILE] [--reg R] [--explicit | --implicit --alpha A] [--nonnegative]
 * </pre>
 *
 * {@code --reg} and {@code --explicit}/{@code --implicit} (with {@code --alpha}) are required for a directory Encore
 * did not export; for an Encore export they override what its {@code encore.json} says. Without a Spark master
 * ({@code spark.master}, which spark-submit sets) it runs Spark in-process on {@code local[*]}, so plain {@code java
 * -cp} over the jar and Spark's jars works too. Exit status: 0 done, 1 failed (the message names the file and what is
 * wrong), 2 bad command line.
 */
public final class ModelInterop {
    static final String USAGE = String.join(
            "\n",
            "usage: ModelInterop export --model FILE --out DIR [--user-col NAME] [--item-col NAME] [--overwrite]",
            "       ModelInterop import --from DIR --out FILE [--user-labels FILE] [--item-labels FILE]",
            "                           [--reg R] [--explicit | --implicit --alpha A] [--nonnegative]",
            "export: an Encore model file as a Spark ALSModel directory (ALSModel.load(DIR)) with",
            "        user_labels.csv, item_labels.csv (id,label,frequency) and encore.json beside its parts",
            "import: a saved Spark ALSModel as an Encore model file; --reg and --explicit/--implicit --alpha are",
            "        required unless DIR is an Encore export (Spark's model does not store them; fold-in needs them)",
            "");

    private ModelInterop() {}

    /** A parsed command line. */
    sealed interface Command permits Export, Import, Help {}

    /** {@code export}. */
    record Export(Path model, String out, SparkModelFiles.ExportOptions options) implements Command {}

    /** {@code import}. */
    record Import(String from, Path out, SparkModelFiles.ImportOptions options) implements Command {}

    /** {@code --help}. */
    record Help() implements Command {}

    public static void main(String[] args) {
        Command c;
        try {
            c = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ModelInterop: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (c instanceof Help) {
            System.out.print(USAGE);
            return;
        }
        SparkSession.Builder b = SparkSession.builder().appName("Encore model interop");
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            b.master("local[*]");
        }
        if (!conf.contains("spark.log.level")) {
            b.config("spark.log.level", "WARN"); // a conversion, not a job to watch; --conf spark.log.level=INFO
        }
        SparkSession spark = b.getOrCreate();
        int status;
        try {
            status = execute(spark, c, System.out, System.err);
        } finally {
            spark.stop();
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Parses and runs {@code args} on {@code spark} (which the caller owns), reporting to {@code out} and errors to
     * {@code err}.
     *
     * @return the exit status: 0 done, 1 failed, 2 bad command line
     */
    static int run(SparkSession spark, String[] args, PrintStream out, PrintStream err) {
        Command c;
        try {
            c = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("ModelInterop: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (c instanceof Help) {
            out.print(USAGE);
            return 0;
        }
        return execute(spark, c, out, err);
    }

    private static int execute(SparkSession spark, Command c, PrintStream out, PrintStream err) {
        try {
            if (c instanceof Export e) {
                ModelStore.Stored s = ModelStore.load(e.model());
                SparkModelFiles.export(spark, s.model(), s.metadata(), e.out(), e.options());
                AlsModel m = s.model();
                out.printf(
                        Locale.ROOT,
                        "exported %s to %s: a Spark ALSModel (rank %d; %d of %d users and %d of %d items have factors)"
                                + " with user_labels.csv, item_labels.csv and encore.json%n",
                        e.model(),
                        e.out(),
                        m.rank(),
                        m.usersWithFactors(),
                        m.users().size(),
                        m.itemsWithFactors(),
                        m.items().size());
            } else if (c instanceof Import i) {
                SparkModelFiles.Imported imported = SparkModelFiles.importModel(spark, i.from(), i.options());
                ModelStore.save(i.out(), imported.model(), null, imported.metadata());
                AlsModel m = imported.model();
                AlsParams p = m.params();
                out.printf(
                        Locale.ROOT,
                        "imported %s (Spark %s) to %s: %d users (%d with factors), %d items (%d with factors), rank %d;"
                                + " regParam %s, %s%s (params from %s)%n",
                        i.from(),
                        imported.metadata().get("spark_version"),
                        i.out(),
                        m.users().size(),
                        m.usersWithFactors(),
                        m.items().size(),
                        m.itemsWithFactors(),
                        m.rank(),
                        p.regParam(),
                        p.implicitPrefs() ? "implicit, alpha " + p.alpha() : "explicit",
                        p.nonnegative() ? ", nonnegative" : "",
                        imported.metadata().get("params_from"));
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("ModelInterop: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("ModelInterop: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    /**
     * Parses the command line (see the class comment).
     *
     * @throws IllegalArgumentException naming the option that is unknown, repeated, missing or invalid
     */
    static Command parse(String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("a command is required: export or import");
        }
        if (args[0].equals("help")
                || List.of(args).contains("--help")
                || List.of(args).contains("-h")) {
            return new Help();
        }
        Options o = new Options(args);
        return switch (args[0]) {
            case "export" -> {
                o.allow("--model", "--out", "--user-col", "--item-col", "--overwrite");
                SparkModelFiles.ExportOptions e = SparkModelFiles.ExportOptions.defaults()
                        .withColumns(o.get("--user-col", "user"), o.get("--item-col", "item"))
                        .withOverwrite(o.flag("--overwrite"));
                yield new Export(Path.of(o.required("--model")), o.required("--out"), e);
            }
            case "import" -> {
                o.allow(
                        "--from",
                        "--out",
                        "--user-labels",
                        "--item-labels",
                        "--reg",
                        "--explicit",
                        "--implicit",
                        "--alpha",
                        "--nonnegative");
                boolean explicit = o.flag("--explicit");
                boolean implicit = o.flag("--implicit");
                if (explicit && implicit) {
                    throw new IllegalArgumentException("--explicit and --implicit exclude each other");
                }
                Double alpha = o.number("--alpha");
                if (alpha != null && explicit) {
                    throw new IllegalArgumentException("--alpha is for implicit feedback, not with --explicit");
                }
                SparkModelFiles.ImportOptions i = new SparkModelFiles.ImportOptions(
                        o.get("--user-labels", null),
                        o.get("--item-labels", null),
                        o.number("--reg"),
                        explicit ? Boolean.FALSE : implicit ? Boolean.TRUE : null,
                        alpha,
                        o.flag("--nonnegative") ? Boolean.TRUE : null);
                yield new Import(o.required("--from"), Path.of(o.required("--out")), i);
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "' (export or import)");
        };
    }

    /** The options after the command: {@code --name value} pairs and flags, each at most once. */
    private static final class Options {
        private static final Set<String> FLAGS = Set.of("--overwrite", "--explicit", "--implicit", "--nonnegative");
        private final Map<String, String> values = new HashMap<>();

        Options(String[] args) {
            for (int a = 1; a < args.length; a++) {
                String name = args[a];
                if (!name.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + name + "'");
                }
                String value = "";
                if (!FLAGS.contains(name)) {
                    if (a + 1 >= args.length) {
                        throw new IllegalArgumentException(name + " needs a value");
                    }
                    value = args[++a];
                }
                if (values.put(name, value) != null) {
                    throw new IllegalArgumentException(name + " is given twice");
                }
            }
        }

        void allow(String... names) {
            Set<String> ok = new HashSet<>(List.of(names));
            for (String n : values.keySet()) {
                if (!ok.contains(n)) {
                    throw new IllegalArgumentException(
                            "unknown option " + n + " (expected " + String.join(", ", names) + ")");
                }
            }
        }

        String get(String name, String otherwise) {
            return values.getOrDefault(name, otherwise);
        }

        String required(String name) {
            String v = values.get(name);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(name + " is required");
            }
            return v;
        }

        boolean flag(String name) {
            return values.containsKey(name);
        }

        Double number(String name) {
            String v = values.get(name);
            if (v == null) {
                return null;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= 0) || Double.isInfinite(d)) {
                    throw new IllegalArgumentException(name + " must be a finite number >= 0, got '" + v + "'");
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, got '" + v + "'");
            }
        }
    }
}
