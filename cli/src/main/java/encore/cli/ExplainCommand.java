package encore.cli;

import encore.als.AlsModel;
import encore.als.FoldIn;
import encore.als.ServingModel;
import encore.als.io.ModelStore;
import encore.data.Interactions;
import encore.data.TriplesReader;
import encore.matrix.Csr;
import encore.util.TextFields;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code encore explain}: which of a user's plays make an item's score. */
@Command(
        name = "explain",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Why a user gets an item: the user's played items that contribute most to the item's score, with their "
                    + "share. The score is Σ_j c_j·y_itemᵀA⁻¹y_j over the user's plays j (A: the user's normal "
                    + "equations, c_j: the play's weight), so the contributions add up to it.",
            "A training user is explained from the training counts stored in the model (models trained by this "
                    + "version); with --plays the user's plays come from a file (a new user, folded in).",
            "Writes CSV (user_id,item,score,rank,because_of,contribution,share) to --out (atomically) or to standard "
                    + "output."
        })
final class ExplainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(names = "--user", required = true, paramLabel = "LABEL", description = "The user.")
    String user;

    @Option(names = "--item", required = true, paramLabel = "LABEL", description = "The item to explain.")
    String item;

    @Option(
            names = "--plays",
            paramLabel = "FILE",
            description = "The user's plays, lines 'user,item,count' (as 'encore recommend --plays'); only the "
                    + "--user's lines are used.")
    Path plays;

    @Option(names = "--top", defaultValue = "10", description = "Contributions to list. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV output file (default: standard output).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        ModelStore.Stored stored = ModelStore.load(model);
        AlsModel m = stored.model();
        int i = ModelItems.withFactors(m, item);
        FoldIn.Explanation e = plays == null ? explainTrainingUser(stored, i) : explainPlays(m, i);
        CsvOutput.write(out, cl, os -> write(os, m, e));
        return 0;
    }

    private FoldIn.Explanation explainTrainingUser(ModelStore.Stored stored, int i) {
        AlsModel m = stored.model();
        int u = m.users().indexOf(user);
        if (!m.hasUser(u)) {
            throw new IllegalArgumentException(
                    u == m.users().size()
                            ? "unknown user '" + user + "': not in the model (give its plays with --plays)"
                            : "user '" + user + "' has no factors (no training plays)");
        }
        ServingModel s = new ServingModel(m, stored.seen(), stored.seenCounts());
        if (!s.hasSeenCounts()) {
            throw new IllegalArgumentException(model + ": this model was saved without its training counts (by an "
                    + "older Encore or without its training items), so a training user cannot be explained; retrain "
                    + "it, or give the user's plays with --plays");
        }
        return s.explain(u, i, top);
    }

    private FoldIn.Explanation explainPlays(AlsModel m, int i) throws IOException {
        Interactions given = TriplesReader.readTrain(plays);
        int u = given.users().indexOf(user);
        if (u == given.users().size()) {
            throw new IllegalArgumentException(plays + ": no plays of user '" + user + "'");
        }
        Csr ui = given.userItems();
        int n = ui.rowLength(u);
        int[] items = new int[n];
        float[] counts = new float[n];
        for (int e = 0; e < n; e++) {
            items[e] = m.items().indexOf(given.items().label(ui.colIdx()[ui.rowStart(u) + e]));
            counts[e] = ui.values()[ui.rowStart(u) + e];
        }
        return new ServingModel(m, null, false).explain(items, counts, i, top);
    }

    private void write(OutputStream os, AlsModel m, FoldIn.Explanation e) throws IOException {
        StringBuilder csv = new StringBuilder("user_id,item,score,rank,because_of,contribution,share\n");
        String prefix = TextFields.csv(user) + ',' + TextFields.csv(item) + ',' + e.score() + ',';
        for (int r = 0; r < e.top().size(); r++) {
            FoldIn.Contribution c = e.top().get(r);
            csv.append(prefix)
                    .append(r + 1)
                    .append(',')
                    .append(TextFields.csv(m.items().label(c.item())))
                    .append(',')
                    .append((float) c.value())
                    .append(',')
                    .append((float) c.share())
                    .append('\n');
        }
        os.write(csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}
