package encore.cli;

import encore.data.BadRowPolicy;
import encore.data.BadRow;
import encore.data.DropReason;
import encore.data.IngestOptions;
import encore.data.IngestStats;
import encore.data.ItemKey;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.SplitSpec;
import encore.io.Json;
import encore.io.PreparedFiles;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore prepare}: the seed's ingest → clean → aggregate → index → split, written to a directory. */
@Command(name = "prepare", mixinStandardHelpOptions = true,
    description = {"Read a listenings CSV (user_id,date,track,artist,album), drop rows with empty fields, count plays "
        + "per (user, item), index labels like Spark's StringIndexer and optionally split into train/test.",
        "Writes DIR/users.csv, DIR/items.csv, DIR/prepare.json and, with --split/--holdout, DIR/train.tsv and "
            + "DIR/test.tsv."})
final class PrepareCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "FILE", description = "The listenings CSV.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @Option(names = "--item-key", paramLabel = "KEY", defaultValue = "track",
        description = "What identifies an item: track (the seed's choice; same-titled tracks of different artists "
            + "merge), artist-track (keeps them apart), artist or album. Default: ${DEFAULT-VALUE}.")
    String itemKey;

    @Option(names = "--limit", paramLabel = "N",
        description = "Keep the first N aggregated pairs ordered by user_id (the seed's orderBy(user_id).limit(N)).")
    Long limit;

    @ArgGroup(exclusive = true)
    SplitChoice split;

    static final class SplitChoice {
        @Option(names = "--split", paramLabel = "F", required = true,
            description = "Put each (user, item) pair in test with probability F (hash of seed, user, item).")
        Double random;

        @Option(names = "--holdout", paramLabel = "F", required = true,
            description = "Hold out a fraction F of each user's items (users with at least 5 items).")
        Double holdout;
    }

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Split seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--bad-rows", paramLabel = "POLICY", defaultValue = "skip",
        description = "Malformed rows (unterminated quote, invalid UTF-8, too many fields): skip (count and report) "
            + "or fail (stop with file:line). Default: ${DEFAULT-VALUE}.")
    String badRows;

    @Option(names = "--threads", paramLabel = "N", description = "Parser threads. Default: the number of cores.")
    Integer threads;

    @Option(names = "--json", description = "Print the prepare.json summary instead of the human one.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        ItemKey key;
        BadRowPolicy policy;
        try {
            key = ItemKey.parse(itemKey);
            policy = BadRowPolicy.valueOf(badRows.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().startsWith("unknown item key") ? e.getMessage()
                : "invalid --bad-rows '" + badRows + "': expected skip or fail");
        }
        int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (t < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be >= 1");
        }
        SplitSpec splitSpec;
        try {
            if (split == null) {
                splitSpec = SplitSpec.none();
            } else if (split.random != null) {
                splitSpec = SplitSpec.random(split.random, seed);
            } else {
                splitSpec = SplitSpec.holdout(split.holdout, seed);
            }
            if (limit != null && limit < 0) {
                throw new IllegalArgumentException("--limit must be >= 0");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        IngestOptions ingest = IngestOptions.defaults().withItemKey(key).withBadRows(policy).withThreads(t);
        PrepareOptions options = new PrepareOptions(ingest, limit == null ? -1 : limit, splitSpec);
        Prepared p = Prepare.run(data, options);
        Map<String, Object> extra = Json.object();
        Map<String, Object> opts = Json.object();
        opts.put("item_key", key.cliName());
        opts.put("limit", limit);
        opts.put("split", splitSpec.kind().name().toLowerCase(Locale.ROOT));
        opts.put("test_fraction", splitSpec.kind() == SplitSpec.Kind.NONE ? null : splitSpec.fraction());
        opts.put("seed", seed);
        opts.put("bad_rows", policy.name().toLowerCase(Locale.ROOT));
        opts.put("threads", t);
        extra.put("options", opts);
        Map<String, Object> report = PreparedFiles.write(out, p, splitSpec.kind() != SplitSpec.Kind.NONE, extra);
        PrintWriter w = cl.getOut();
        if (json) {
            w.print(Json.write(report));
        } else {
            printSummary(w, p, splitSpec, key, report);
        }
        w.flush();
        return 0;
    }

    private void printSummary(PrintWriter w, Prepared p, SplitSpec s, ItemKey key, Map<String, Object> report) {
        IngestStats st = p.ingest();
        w.printf("Read %s (%s): %s rows in %s%n", data, Format.bytes(st.bytes()), Format.count(st.rowsRead()),
            Format.secs(p.timings().get("read_clean")));
        StringBuilder d = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            if (st.dropped(r) > 0) {
                d.append(d.length() == 0 ? "" : ", ").append(r.key()).append(' ').append(Format.count(st.dropped(r)));
            }
        }
        w.printf("  dropped %s rows%s%n", Format.count(st.droppedTotal()), d.length() == 0 ? "" : " (" + d + ")");
        if (!st.badRows().isEmpty()) {
            w.print("  malformed rows at ");
            int i = 0;
            for (BadRow b : st.badRows()) {
                w.print((i++ == 0 ? "" : "; ") + b);
            }
            w.println(st.malformedTotal() > st.badRows().size() ? "; ..." : "");
        }
        w.printf("  kept %s plays -> %s (user, %s) pairs, %s users, %s items%n", Format.count(st.rowsKept()),
            Format.count(p.plays().pairs()), key.cliName(), Format.count(p.plays().users().size()),
            Format.count(p.plays().items().size()));
        if (s.kind() != SplitSpec.Kind.NONE) {
            w.printf("  %s split %.2f (seed %d): train %s pairs, test %s pairs%n",
                s.kind().name().toLowerCase(Locale.ROOT), s.fraction(), s.seed(),
                Format.count(p.split().train().pairs()), Format.count(p.split().test().pairs()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> timings = (Map<String, Object>) report.get("timings_s");
        StringBuilder tl = new StringBuilder("  stages:");
        for (var e : timings.entrySet()) {
            tl.append(' ').append(e.getKey()).append(' ').append(Format.secs((Double) e.getValue()));
            tl.append(e.getKey().equals("pipeline_total") ? ";" : "");
        }
        w.println(tl);
        w.printf("Wrote %s/{%s}%n", out, s.kind() == SplitSpec.Kind.NONE
            ? "users.csv,items.csv,prepare.json" : "users.csv,items.csv,train.tsv,test.tsv,prepare.json");
    }
}
