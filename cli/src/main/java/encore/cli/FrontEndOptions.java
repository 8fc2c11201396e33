package encore.cli;

import encore.data.BadRowPolicy;
import encore.data.IngestOptions;
import encore.data.ItemKey;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The front-end options shared by {@code prepare} and {@code run}. */
final class FrontEndOptions {
    @Option(
            names = "--item-key",
            paramLabel = "KEY",
            defaultValue = "track",
            description =
                    "What identifies an item: track (the recipe's choice; same-titled tracks of different artists "
                            + "merge), artist-track (keeps them apart), artist or album. Default: ${DEFAULT-VALUE}.")
    String itemKey;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description =
                    "Keep the first N aggregated pairs ordered by user_id (the recipe's orderBy(user_id).limit(N)).")
    Long limit;

    @Option(
            names = "--split",
            paramLabel = "F",
            description = "Put each (user, item) pair in test with probability F (hash of seed, user, item).")
    Double random;

    @Option(
            names = "--holdout",
            paramLabel = "F",
            description = "Hold out a fraction F of each user's items (users with at least 5 items).")
    Double holdout;

    @Option(
            names = "--seed",
            paramLabel = "S",
            defaultValue = "42",
            description = "Split seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--bad-rows",
            paramLabel = "POLICY",
            defaultValue = "skip",
            description =
                    "Malformed rows (unterminated quote, invalid UTF-8, too many fields): skip (count and report) "
                            + "or fail (stop with file:line). Default: ${DEFAULT-VALUE}.")
    String badRows;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: the number of cores.")
    Integer threads;

    int threads(CommandLine cl) {
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be >= 1");
        }
        return t;
    }

    /** The split asked for, or {@code fallback} when neither --split nor --holdout is given. */
    SplitSpec split(CommandLine cl, SplitSpec fallback) {
        try {
            if (random != null && holdout != null) {
                throw new IllegalArgumentException("--split and --holdout are mutually exclusive");
            }
            if (random != null) {
                return SplitSpec.random(random, seed);
            }
            if (holdout != null) {
                return SplitSpec.holdout(holdout, seed);
            }
            return fallback;
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, CliFlags.phrase(e.getMessage()));
        }
    }

    ItemKey itemKey(CommandLine cl) {
        try {
            return ItemKey.parse(itemKey);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, CliFlags.phrase(e.getMessage()));
        }
    }

    BadRowPolicy badRows(CommandLine cl) {
        try {
            return BadRowPolicy.valueOf(badRows.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "invalid --bad-rows '" + badRows + "': expected skip or fail");
        }
    }

    PrepareOptions prepareOptions(CommandLine cl, SplitSpec fallbackSplit) {
        if (limit != null && limit < 0) {
            throw new CommandLine.ParameterException(cl, "--limit must be >= 0");
        }
        IngestOptions ingest = IngestOptions.defaults()
                .withItemKey(itemKey(cl))
                .withBadRows(badRows(cl))
                .withThreads(threads(cl));
        return new PrepareOptions(ingest, limit == null ? -1 : limit, split(cl, fallbackSplit));
    }
}
