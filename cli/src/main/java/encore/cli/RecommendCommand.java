package encore.cli;

import encore.als.AlsModel;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.als.io.ModelStore;
import encore.internal.Memory;
import encore.matrix.Csr;
import encore.pipeline.RecommendationsCsv;
import encore.util.AtomicOutput;
import encore.util.TextFields;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code encore recommend}: top-K lists (or similar items) from a saved model. */
@Command(
        name = "recommend",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Top-K recommendations from a saved model for some users (--users) or all (--all), or the items "
                    + "most similar to one item (--similar-to). Writes CSV to --out (atomically) or to standard output.",
            "Unknown users or items are reported (cold start) and skipped."
        })
final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(names = "--users", split = ",", paramLabel = "LABEL", description = "Comma-separated user labels.")
    List<String> users;

    @Option(names = "--all", description = "Every user with factors.")
    boolean all;

    @Option(
            names = "--similar-to",
            paramLabel = "ITEM",
            description = "List the items most similar to this one " + "(cosine of item factors).")
    String similarTo;

    @Option(names = "--top", defaultValue = "10", description = "K. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--exclude-seen", description = "Leave out each user's training items.")
    boolean excludeSeen;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV output file (default: standard output).")
    Path out;

    @CommandLine.Mixin
    BackendOption backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        int modes = (users != null ? 1 : 0) + (all ? 1 : 0) + (similarTo != null ? 1 : 0);
        if (modes != 1) {
            throw new CommandLine.ParameterException(cl, "choose exactly one of --users, --all and --similar-to");
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        String backendName = backend.name(cl);
        ModelStore.Stored stored = ModelStore.load(model);
        PrintWriter err = cl.getErr();
        try (Recommender scorer = stored.model().recommender(backendName)) {
            if (out == null) {
                try (OutputStream os = new WriterOutputStream(cl.getOut())) {
                    write(os, stored, scorer, err);
                }
            } else {
                try (AtomicOutput a = AtomicOutput.create(out)) {
                    write(a.stream(), stored, scorer, err);
                    a.commit();
                }
                cl.getOut().printf(Locale.ROOT, "Wrote %s%n", out);
            }
            if (scorer.fallbackReason() != null) {
                err.printf("encore: recommendations computed on the CPU: %s%n", scorer.fallbackReason());
            }
        }
        err.flush();
        return 0;
    }

    private void write(OutputStream os, ModelStore.Stored stored, Recommender rec, PrintWriter err) throws IOException {
        AlsModel m = stored.model();
        if (similarTo != null) {
            writeSimilar(os, m, rec);
            return;
        }
        Csr seen = null;
        if (excludeSeen) {
            seen = stored.seen();
            if (seen == null) {
                throw new IllegalArgumentException(model + ": this model was saved without its training items, "
                        + "so --exclude-seen cannot be applied");
            }
        }
        if (all) {
            Memory.require(
                    Memory.topK(m.users().size(), top, 1),
                    "the top-" + top + " lists of " + m.users().size() + " users");
            RecommendationsCsv.write(os, m, rec.recommendForAllUsers(top, seen), null);
        } else {
            Recommender.UserRecommendations r = rec.recommendForUsers(knownUsers(m, err), top, seen);
            RecommendationsCsv.write(os, m, r.lists(), r.users());
        }
    }

    /** The indices of the --users that have factors, in order; unknown and cold ones are reported and skipped. */
    private int[] knownUsers(AlsModel m, PrintWriter err) {
        int[] known = new int[users.size()];
        int n = 0;
        for (String u : users) {
            int idx = m.users().indexOf(u);
            if (idx == m.users().size()) {
                err.printf("encore: unknown user '%s': not in the model (cold start), skipped%n", u);
            } else if (!m.hasUser(idx)) {
                err.printf("encore: user '%s' has no factors (no training plays), skipped%n", u);
            } else {
                known[n++] = idx;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("none of the given users is in the model");
        }
        return Arrays.copyOf(known, n);
    }

    private void writeSimilar(OutputStream os, AlsModel m, Recommender rec) throws IOException {
        int item = m.items().indexOf(similarTo);
        if (!m.hasItem(item)) {
            throw new IllegalArgumentException(
                    item == m.items().size()
                            ? "unknown item '" + similarTo + "': not in the model (cold start)"
                            : "item '" + similarTo + "' has no factors (it had no training plays)");
        }
        Recommendations r = rec.similarItems(item, top);
        StringBuilder csv = new StringBuilder("item,rank,similar_item,similarity\n");
        for (int q = 0; q < r.count(0); q++) {
            csv.append(TextFields.csv(similarTo))
                    .append(',')
                    .append(q + 1)
                    .append(',')
                    .append(TextFields.csv(m.items().label(r.id(0, q))))
                    .append(',')
                    .append(r.score(0, q))
                    .append('\n');
        }
        os.write(csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}
