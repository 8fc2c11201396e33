package encore.cli;

import encore.data.InputFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The {@code encore} command. A thin shell over the library: each subcommand parses options, calls the library and
 * prints. Exit codes: 0 success, 1 data or runtime error, 2 usage error; either way one line on stderr.
 * {@code --verbose} adds stack traces.
 */
@Command(
        name = "encore",
        mixinStandardHelpOptions = true,
        versionProvider = EncoreCli.Version.class,
        description = "Encore: ALS music recommendations from listening logs, on the GPU or the CPU.",
        subcommands = {
            DemoCommand.class,
            GenerateCommand.class,
            PrepareCommand.class,
            RunCommand.class,
            TrainCommand.class,
            RecommendCommand.class,
            ExplainCommand.class,
            ExportCommand.class,
            ServeCommand.class,
            EvaluateCommand.class,
            TuneCommand.class,
            DoctorCommand.class,
            CommandLine.HelpCommand.class
        },
        usageHelpAutoWidth = true)
public final class EncoreCli implements Runnable {
    /** Exit code of a data or runtime error. */
    public static final int EXIT_ERROR = 1;
    /** Exit code of a usage error. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", description = "Show stack traces on errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(),
                "missing command: choose one of "
                        + String.join(", ", spec.subcommands().keySet()));
    }

    /** Runs the CLI on the standard streams and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams and returns the exit code (for tests and embedding). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new EncoreCli());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExitCodeExceptionMapper(t -> t instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_ERROR);
        cmd.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr()
                    .println("encore: " + ex.getMessage().strip() + " (see '"
                            + c.getCommandSpec().qualifiedName() + " --help')");
            if (isVerbose(c)) {
                ex.printStackTrace(c.getErr());
            }
            return EXIT_USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("encore: " + firstLine(describe(ex)));
            if (isVerbose(c)) {
                ex.printStackTrace(c.getErr());
            }
            return EXIT_ERROR; // usage problems arrive as ParameterException, handled above
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static boolean isVerbose(CommandLine c) {
        CommandLine root = c;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Object o = root.getCommand();
        return o instanceof EncoreCli e && e.verbose;
    }

    /** The first line of {@code s}: errors are one line (the rest goes to --verbose's stack trace). */
    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).stripTrailing();
    }

    /** One line for the user: what went wrong, with the file (and line) where it is known. */
    static String describe(Throwable t) {
        if (t instanceof UncheckedIOException u) {
            t = u.getCause();
        }
        if (t instanceof InputFormatException) {
            return CliFlags.phrase(t.getMessage());
        }
        if (t instanceof encore.internal.Memory.NotEnoughMemoryException e) {
            return CliFlags.phrase(e);
        }
        if (t instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file or directory";
        }
        if (t instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        if (t instanceof java.nio.file.FileAlreadyExistsException e) {
            return e.getFile() + ": already exists and is not a directory";
        }
        if (t instanceof java.nio.file.NotDirectoryException e) {
            return e.getFile() + ": not a directory";
        }
        if (t instanceof FileSystemException e) {
            return e.getFile() + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason());
        }
        if (t instanceof OutOfMemoryError) {
            return "out of memory: raise the heap with ENCORE_HEAP (e.g. ENCORE_HEAP=16g ./encore ...)";
        }
        if (t instanceof IOException
                || t instanceof IllegalArgumentException
                || t instanceof IllegalStateException
                || t instanceof encore.als.AlsException) {
            return String.valueOf(CliFlags.phrase(t.getMessage()));
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** This build's version ("development build" outside the jar). */
    static String version() {
        String v = EncoreCli.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EncoreCli.class.getPackage().getImplementationVersion();
            return new String[] {
                "encore " + (v == null ? "(development build)" : v),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                        + Runtime.getRuntime().availableProcessors() + " cores, max heap "
                        + (Runtime.getRuntime().maxMemory() >> 20) + " MiB"
            };
        }
    }
}
