package encore.spark;

import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./encore run --spark MASTER_URL}: {@code encore run}'s flags, the recipe run as a Spark application on that
 * master ({@link SeedRecipe}: Spark DataFrames for read, clean, count, index and split, {@link EncoreALS} for the fit
 * and the top lists), with the driver in this JVM (Spark's client mode, as {@code spark-submit --deploy-mode client}):
 *
 * <pre>
 *   encore run --spark spark://host:7077 --data listenings.csv --out DIR [--rank 10] [--max-iter 5] [--reg 0.01]
 *       [--implicit [--alpha 1]] [--split 0.5] [--seed 42] [--num-blocks 10] [--top 10] [--backend auto|cpu|gpu]
 *       [--conf key=value]...
 * </pre>
 *
 * The flags mean what they mean for {@code encore run}; {@code --seed} seeds both the split and the initial factors
 * (as the recipe's one seed). The executors load Encore from this class's jar ({@code spark.jars}) and get this JVM's
 * {@code --add-opens} flags and the Vector API module; {@code --conf} sets any other Spark property (executor memory
 * and cores, {@code spark.driver.host}, ...) and wins over those. {@code --data} and {@code --out} must be paths the
 * executors can reach (a shared file system, HDFS, S3); relative local paths are made absolute. {@code encore run}'s
 * flags that have no meaning on a cluster are refused by name.
 */
public final class SparkRun {
    /** {@code encore run} flags that take a value, and the recipe flag each becomes. */
    private static final Map<String, String> VALUE_FLAGS = Map.ofEntries(
            Map.entry("--data", "--data"),
            Map.entry("--out", "--out"),
            Map.entry("--rank", "--rank"),
            Map.entry("--max-iter", "--iters"),
            Map.entry("--reg", "--reg"),
            Map.entry("--alpha", "--alpha"),
            Map.entry("--split", "--split"),
            Map.entry("--seed", "--seed"),
            Map.entry("--num-blocks", "--blocks"),
            Map.entry("--top", "--top"),
            Map.entry("--backend", "--engine"));

    /** {@code encore run} flags refused with --spark, and why. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("--threads", "each executor uses its task's cores: --conf spark.executor.cores=N"),
            Map.entry("--format", "the recipe reads a listenings CSV (--data)"),
            Map.entry("--train", "the recipe reads a listenings CSV (--data)"),
            Map.entry("--test", "the recipe reads a listenings CSV (--data)"),
            Map.entry("--limit", "the recipe reads the whole file"),
            Map.entry("--item-key", "the recipe's item is the track column"),
            Map.entry("--holdout", "the recipe splits at random (--split)"),
            Map.entry("--bad-rows", "Spark's CSV reader and na.drop decide what a bad row is"),
            Map.entry("--exclude-seen", "Spark's recommendForAllUsers keeps seen items"),
            Map.entry("--als-seed", "the recipe's one --seed seeds the split and the initial factors"),
            Map.entry("--init", "EncoreALS starts from MLlib's initial factors (init=spark)"),
            Map.entry("--solver", "the recipe's EncoreALS keeps its default solver (cholesky)"),
            Map.entry("--cg-steps", "the recipe's EncoreALS keeps its default solver (cholesky)"),
            Map.entry("--nonnegative", "not offered by the recipe"),
            Map.entry("--show", "the top lists are written to --out"),
            Map.entry("--json", "the summary is one line of text"),
            Map.entry("--quiet", "the summary is one line of text"),
            Map.entry("-q", "the summary is one line of text"));

    static final String USAGE = String.join(
            "\n",
            "usage: encore run --spark MASTER_URL --data FILE --out DIR [--rank 10] [--max-iter 5] [--reg 0.01]",
            "                  [--implicit [--alpha 1]] [--split 0.5] [--seed 42] [--num-blocks 10] [--top 10]",
            "                  [--backend auto|cpu|gpu] [--conf key=value]...",
            "The recipe as a Spark application on MASTER_URL (spark://host:port, local[N], ...), the driver in this",
            "process: DIR/recommendations.parquet and DIR/recommendations.csv (Spark output directories:",
            "user_id,rank,track,score). --data and --out must be reachable by the executors.",
            "");

    private SparkRun() {}

    /**
     * A parsed command line.
     *
     * @param master the Spark master URL
     * @param recipe the recipe's options
     * @param conf   Spark properties from --conf, in order
     */
    record Command(String master, SeedRecipe.Options recipe, Map<String, String> conf) {}

    /**
     * Turns {@code encore run --spark} arguments (without {@code run}) into the master, the recipe and Spark's
     * properties.
     *
     * @throws IllegalArgumentException naming the flag that is missing, unknown, refused or malformed
     */
    static Command parse(String[] args) {
        String master = null;
        List<String> recipe = new ArrayList<>();
        Map<String, String> conf = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) { // --flag=value, as picocli takes it
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (REFUSED.containsKey(flag)) {
                throw new IllegalArgumentException(flag + " does not apply with --spark: " + REFUSED.get(flag));
            }
            if (flag.equals("--implicit")) {
                if (value != null) {
                    throw new IllegalArgumentException("--implicit takes no value");
                }
                recipe.add("--implicit");
                continue;
            }
            boolean known = flag.equals("--spark") || flag.equals("--conf") || VALUE_FLAGS.containsKey(flag);
            if (!known) {
                throw new IllegalArgumentException("unknown option " + flag + " for encore run --spark");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = args[++i];
            }
            switch (flag) {
                case "--spark" -> master = value;
                case "--conf" -> {
                    int at = value.indexOf('=');
                    if (at < 1) {
                        throw new IllegalArgumentException("--conf takes key=value, got " + value);
                    }
                    conf.put(
                            value.substring(0, at).strip(),
                            value.substring(at + 1).strip());
                }
                case "--data", "--out" -> {
                    recipe.add(flag);
                    recipe.add(reachable(value));
                }
                default -> {
                    recipe.add(VALUE_FLAGS.get(flag));
                    recipe.add(value);
                }
            }
        }
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("--spark MASTER_URL is required");
        }
        SeedRecipe.Options o;
        try {
            o = SeedRecipe.Options.parse(recipe.toArray(new String[0]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a numeric flag has a value that is not a number: " + e.getMessage());
        }
        // the estimator's own check of its engine param, reported with this command's flag
        if (!(Boolean) new EncoreALS().engine().isValid().apply(o.engine())) {
            throw new IllegalArgumentException("invalid --backend '" + o.engine() + "': expected auto, cpu or gpu");
        }
        return new Command(master, o, conf);
    }

    /** A path as the executors should see it: URIs (hdfs:, s3a:, file:) as given, local paths absolute. */
    private static String reachable(String path) {
        try {
            URI u = new URI(path);
            if (u.getScheme() != null && u.getScheme().length() > 1) {
                return path;
            }
        } catch (URISyntaxException e) {
            // not a URI: a local path
        }
        return Path.of(path).toAbsolutePath().normalize().toString();
    }

    /**
     * The session for {@code c}: its master, Encore's jar for the executors, their JVM flags, then the user's
     * {@code --conf} properties (which win).
     */
    static SparkSession.Builder session(Command c) {
        SparkSession.Builder b = SparkSession.builder().master(c.master()).appName("encore run");
        String jar = jarOfThisClass();
        if (jar != null) {
            b.config("spark.jars", jar);
        }
        b.config("spark.executor.extraJavaOptions", executorJavaOptions());
        b.config("spark.log.level", "WARN");
        b.config("spark.ui.showConsoleProgress", "false");
        String host = masterHost(c.master());
        if (host != null && (host.equals("127.0.0.1") || host.equals("localhost"))) {
            b.config("spark.driver.host", "127.0.0.1"); // a cluster on this machine: its executors dial loopback
        }
        for (Map.Entry<String, String> e : c.conf().entrySet()) {
            b.config(e.getKey(), e.getValue());
        }
        return b;
    }

    /**
     * The JVM flags an executor running Encore needs: the {@code --add-opens} and {@code -Djava.net} flags this JVM
     * was started with (Spark's list on Java 17, from {@code spark/jvm-flags.sh} or Maven's {@code spark.opens}) and
     * the Vector API module of the CPU engine's kernels — for {@code spark.executor.extraJavaOptions}.
     */
    public static String executorJavaOptions() {
        List<String> flags = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("-Djava.net")) {
                flags.add(a);
            }
        }
        flags.add("--add-modules=jdk.incubator.vector");
        return String.join(" ", flags);
    }

    /** The host of a {@code spark://host:port[,host:port]} URL, or null for other masters. */
    private static String masterHost(String master) {
        if (!master.startsWith("spark://")) {
            return null;
        }
        String hostPort = master.substring("spark://".length()).split(",")[0];
        int colon = hostPort.lastIndexOf(':');
        return (colon < 0 ? hostPort : hostPort.substring(0, colon)).toLowerCase(Locale.ROOT);
    }

    /** The jar this class was loaded from (encore-spark-all.jar), or null when it runs from a classes folder. */
    private static String jarOfThisClass() {
        try {
            java.security.CodeSource src = SparkRun.class.getProtectionDomain().getCodeSource();
            if (src == null) {
                return null;
            }
            Path p = Path.of(src.getLocation().toURI());
            return p.toString().endsWith(".jar") ? p.toString() : null;
        } catch (URISyntaxException | SecurityException e) {
            return null;
        }
    }

    /** An exception's message, or its class's name when it has none. */
    private static String message(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getName();
    }

    public static void main(String[] args) {
        int status = execute(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the command line, reporting to {@code out} and errors to {@code err}.
     *
     * @return the exit status: 0 done, 1 failed, 2 bad command line
     */
    static int execute(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(USAGE);
            return 0;
        }
        Command c;
        try {
            c = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("encore run: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SeedRecipe.Options o = c.recipe();
        out.printf(
                Locale.ROOT,
                "encore run on %s: %s, rank %d, %d iterations, regParam %s%s, %d blocks, engine %s%n",
                c.master(),
                o.data(),
                o.rank(),
                o.iters(),
                o.reg(),
                o.implicit() ? ", implicit alpha " + o.alpha() : "",
                o.blocks(),
                o.engine());
        SparkSession spark;
        try {
            spark = session(c).getOrCreate();
        } catch (Exception e) { // Scala's exceptions are unchecked in Java, AnalysisException included
            err.println("encore run: cannot start a Spark application on " + c.master() + ": " + message(e));
            return 1;
        }
        try {
            long t0 = System.nanoTime();
            SeedRecipe.Result r = SeedRecipe.run(spark, o);
            r.prepared().unpersist();
            out.printf(Locale.ROOT, "%s (%.1f s)%n", r.summary(o), (System.nanoTime() - t0) / 1e9);
            return 0;
        } catch (Exception e) {
            err.println("encore run: " + message(e));
            return 1;
        } finally {
            spark.stop();
        }
    }
}
