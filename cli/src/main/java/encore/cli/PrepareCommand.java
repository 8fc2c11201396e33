package encore.cli;

import encore.data.BadRow;
import encore.data.BadRowPolicy;
import encore.data.DropReason;
import encore.data.IngestStats;
import encore.data.ItemKey;
import encore.data.Prepare;
import encore.data.PrepareOptions;
import encore.data.Prepared;
import encore.data.PreparedFiles;
import encore.data.SplitSpec;
import encore.util.AtomicOutput;
import encore.util.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore prepare}: the Spark ALS recipe's ingest → clean → aggregate → index → split, written to a directory. */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        description = {
            "Read a listenings CSV (user_id,date,track,artist,album), drop rows with empty fields, count plays "
                    + "per (user, item), index labels like Spark's StringIndexer and optionally split into train/test.",
            "Writes DIR/users.csv, DIR/items.csv, DIR/prepare.json and, with --split/--holdout, DIR/train.tsv and "
                    + "DIR/test.tsv."
        })
final class PrepareCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description = "The listenings CSV (plain or gzip; - for standard input).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @CommandLine.Mixin
    FrontEndOptions front;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        PrepareOptions options = front.prepareOptions(cl, SplitSpec.none());
        SplitSpec splitSpec = options.split();
        ItemKey key = options.ingest().itemKey();
        BadRowPolicy policy = options.ingest().badRows();
        int t = options.ingest().threads();
        Long limit = front.limit;
        long seed = front.seed;
        AtomicOutput.checkWritableDirectory(out); // before any work
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
        PreparedFiles.Report report = PreparedFiles.write(out, p, splitSpec.kind() != SplitSpec.Kind.NONE, extra);
        PrintWriter w = cl.getOut();
        if (output.json) {
            w.print(report.json());
        } else if (!output.quiet) {
            printSummary(w, p, splitSpec, key, report);
        }
        w.flush();
        return 0;
    }

    private void printSummary(PrintWriter w, Prepared p, SplitSpec s, ItemKey key, PreparedFiles.Report report) {
        IngestStats st = p.ingest();
        w.printf(
                "Read %s (%s): %s rows in %s%n",
                p.source(),
                Format.bytes(st.bytes()),
                Format.count(st.rowsRead()),
                Format.secs(p.timings().get("read_clean")));
        StringBuilder d = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            if (st.dropped(r) > 0) {
                d.append(d.length() == 0 ? "" : ", ")
                        .append(r.key())
                        .append(' ')
                        .append(Format.count(st.dropped(r)));
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
        w.printf(
                "  kept %s plays -> %s (user, %s) pairs, %s users, %s items%n",
                Format.count(st.rowsKept()),
                Format.count(p.plays().pairs()),
                key.cliName(),
                Format.count(p.plays().users().size()),
                Format.count(p.plays().items().size()));
        if (s.kind() != SplitSpec.Kind.NONE) {
            w.printf(
                    "  %s split %.2f (seed %d): train %s pairs, test %s pairs%n",
                    s.kind().name().toLowerCase(Locale.ROOT),
                    s.fraction(),
                    s.seed(),
                    Format.count(p.split().train().pairs()),
                    Format.count(p.split().test().pairs()));
        }
        StringBuilder tl = new StringBuilder("  stages:");
        for (var e : report.timings().entrySet()) {
            tl.append(' ').append(e.getKey()).append(' ').append(Format.secs(e.getValue()));
            tl.append(e.getKey().equals("pipeline_total") ? ";" : "");
        }
        w.println(tl);
        w.printf(
                "Wrote %s/{%s}%n",
                out,
                s.kind() == SplitSpec.Kind.NONE
                        ? "users.csv,items.csv,prepare.json"
                        : "users.csv,items.csv,train.tsv,test.tsv,prepare.json");
    }
}
