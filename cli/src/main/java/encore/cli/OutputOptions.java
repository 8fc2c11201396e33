package encore.cli;

import picocli.CommandLine.Option;

/** How a command reports: a human summary (default), one JSON summary, or nothing. Files are written either way. */
final class OutputOptions {
    @Option(names = "--json", description = "Print one machine-readable JSON summary instead of the human one.")
    boolean json;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print nothing (output files are still written).")
    boolean quiet;
}
