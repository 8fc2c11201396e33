package encore.cli;

import encore.als.AlsModel;
import encore.als.ItemFilter;
import encore.als.RankedItems;
import encore.als.Recommendations;
import encore.als.Recommender;
import encore.als.ServingModel;
import encore.als.io.ModelStore;
import encore.data.Interactions;
import encore.data.TriplesReader;
import encore.internal.Memory;
import encore.matrix.Csr;
import encore.pipeline.RecommendationsCsv;
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
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code encore recommend}: top-K lists (or similar items) from a saved model. */
@Command(
        name = "recommend",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Top-K recommendations from a saved model for some users (--users), all (--all), new users given by their "
                    + "plays (--plays: folded in without retraining), or the items most similar to one item "
                    + "(--similar-to). Writes CSV to --out (atomically) or to standard output.",
            "--only and --exclude restrict the candidates (each list then has exactly min(K, candidates) items). "
                    + "Unknown users or items are reported (cold start) and skipped."
        })
final class RecommendCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(names = "--users", split = ",", paramLabel = "LABEL", description = "Comma-separated user labels.")
    List<String> users;

    @Option(names = "--all", description = "Every user with factors.")
    boolean all;

    @Option(
            names = "--plays",
            paramLabel = "FILE",
            description = "New (or changed) users' plays: lines 'user,item,count' (TAB, comma or spaces; an optional "
                    + "header). Each user is folded in — solved as training solves a user — and recommended for.")
    Path plays;

    @Option(
            names = "--similar-to",
            paramLabel = "ITEM",
            description = "List the items most similar to this one " + "(cosine of item factors).")
    String similarTo;

    @Option(names = "--top", defaultValue = "10", description = "K. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(
            names = "--exclude-seen",
            description = "Leave out each user's training items (with --plays: the items in its plays).")
    boolean excludeSeen;

    @Option(
            names = "--exclude",
            paramLabel = "FILE|ITEMS",
            description =
                    "Never recommend these items: a file of item labels (one per line) or a comma-separated list.")
    String exclude;

    @Option(
            names = "--only",
            paramLabel = "FILE|ITEMS",
            description = "Recommend only among these items: a file of item labels (one per line) or a "
                    + "comma-separated list.")
    String only;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV output file (default: standard output).")
    Path out;

    @CommandLine.Mixin
    BackendOption backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        int modes = (users != null ? 1 : 0) + (all ? 1 : 0) + (similarTo != null ? 1 : 0) + (plays != null ? 1 : 0);
        if (modes != 1) {
            throw new CommandLine.ParameterException(
                    cl, "choose exactly one of --users, --all, --plays and --similar-to");
        }
        if (excludeSeen && similarTo != null) {
            throw new CommandLine.ParameterException(cl, "--exclude-seen applies to users, not to --similar-to");
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        String backendName = backend.name(cl);
        ModelStore.Stored stored = ModelStore.load(model);
        PrintWriter err = cl.getErr();
        try (Recommender scorer = stored.model().recommender(backendName)) {
            CsvOutput.write(out, cl, os -> write(os, stored, scorer, err));
            if (scorer.fallbackReason() != null) {
                err.printf("encore: recommendations computed on the CPU: %s%n", scorer.fallbackReason());
            }
        }
        err.flush();
        return 0;
    }

    private void write(OutputStream os, ModelStore.Stored stored, Recommender rec, PrintWriter err) throws IOException {
        AlsModel m = stored.model();
        ItemFilter filter = ItemLists.filter(m.items(), only, exclude, err);
        if (similarTo != null) {
            writeSimilar(os, stored, rec, filter);
            return;
        }
        if (plays != null) {
            writeForPlays(os, stored, filter, err);
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
        BitSet blocked = ItemLists.blocked(filter, m.items().size());
        if (all) {
            Memory.require(
                    Memory.topK(m.users().size(), top, 1),
                    "the top-" + top + " lists of " + m.users().size() + " users");
            RecommendationsCsv.write(os, m, rec.recommendForAllUsers(top, seen, blocked), null);
        } else {
            Recommender.UserRecommendations r = rec.recommendForUsers(knownUsers(m, err), top, seen, blocked);
            RecommendationsCsv.write(os, m, r.lists(), r.users());
        }
    }

    /** Every user of the --plays file folded in, in the file's user order (most plays first, ties by label). */
    private void writeForPlays(OutputStream os, ModelStore.Stored stored, ItemFilter filter, PrintWriter err)
            throws IOException {
        AlsModel m = stored.model();
        Interactions given = TriplesReader.readTrain(plays);
        int[] toModel = new int[given.items().size()];
        int unknown = 0;
        for (int i = 0; i < toModel.length; i++) {
            toModel[i] = m.items().indexOf(given.items().label(i));
            if (!m.hasItem(toModel[i])) {
                unknown++;
            }
        }
        if (unknown > 0) {
            err.printf(
                    Locale.ROOT,
                    "encore: %s: %d of %d items are not in the model or have no factors; their plays are ignored%n",
                    plays,
                    unknown,
                    toModel.length);
        }
        ServingModel serving = new ServingModel(m, null, false);
        Csr ui = given.userItems();
        os.write(RecommendationsCsv.HEADER.getBytes(StandardCharsets.US_ASCII));
        int skipped = 0;
        for (int u = 0; u < ui.rows(); u++) {
            int n = ui.rowLength(u);
            int[] items = new int[n];
            float[] counts = new float[n];
            for (int e = 0; e < n; e++) {
                items[e] = toModel[ui.colIdx()[ui.rowStart(u) + e]];
                counts[e] = ui.values()[ui.rowStart(u) + e];
            }
            ServingModel.PlaysRecommendation r = serving.recommendForPlays(items, counts, top, filter, excludeSeen);
            if (!r.user().solved()) {
                err.printf(
                        "encore: user '%s': none of its items is in the model, skipped%n",
                        given.users().label(u));
                skipped++;
                continue;
            }
            RecommendationsCsv.writeList(os, given.users().label(u), r.items(), m.items());
        }
        if (skipped == ui.rows()) {
            throw new IllegalArgumentException(plays + ": none of the users' plays has an item in the model");
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

    private void writeSimilar(OutputStream os, ModelStore.Stored stored, Recommender rec, ItemFilter filter)
            throws IOException {
        AlsModel m = stored.model();
        int item = ModelItems.withFactors(m, similarTo);
        RankedItems r;
        if (only == null && exclude == null) {
            Recommendations all = rec.similarItems(item, top);
            r = RankedItems.of(all.ids(0), all.scores(0));
        } else {
            r = new ServingModel(m, null, false).similar(item, top, filter);
        }
        StringBuilder csv = new StringBuilder("item,rank,similar_item,similarity\n");
        for (int q = 0; q < r.size(); q++) {
            csv.append(TextFields.csv(similarTo))
                    .append(',')
                    .append(q + 1)
                    .append(',')
                    .append(TextFields.csv(m.items().label(r.item(q))))
                    .append(',')
                    .append(r.score(q))
                    .append('\n');
        }
        os.write(csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}
