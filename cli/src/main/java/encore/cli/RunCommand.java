package encore.cli;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.ItemKey;
import encore.data.PrepareOptions;
import encore.data.SplitSpec;
import encore.io.Json;
import encore.pipeline.RunOptions;
import encore.pipeline.SeedPipeline;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code encore run}: the seed pipeline end to end. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The seed recipe in one command: read a listenings CSV, clean, count plays per (user, item), index, "
        + "split (default: --split 0.5), fit ALS (seed defaults: --rank 10 --max-iter 5 --reg 0.01, explicit on the "
        + "counts), predict the test pairs (RMSE/MAE), recommend the top K for every user, and compare precision@K "
        + "with a most-popular baseline.",
        "Writes DIR/recommendations.csv (user_id,rank,item,score), DIR/users.csv, DIR/items.csv and DIR/metrics.json."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "FILE", description = "The listenings CSV.")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "listenings",
        description = "listenings (--data) or triples (--train and --test: 'user item value' lines, tab/comma/space "
            + "separated, optional header, extra columns ignored). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--train", paramLabel = "FILE", description = "Training triples (with --format triples).")
    Path train;

    @Option(names = "--test", paramLabel = "FILE", description = "Test triples (with --format triples).")
    Path test;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if needed).")
    Path out;

    @CommandLine.Mixin
    FrontEndOptions front;

    @Option(names = "--rank", defaultValue = "10", description = "Factors per user and item. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--max-iter", defaultValue = "5", description = "ALS iterations. Default: ${DEFAULT-VALUE}.")
    int maxIter;

    @Option(names = "--reg", defaultValue = "0.01", description = "regParam (scaled per entity, ALS-WR). "
        + "Default: ${DEFAULT-VALUE}.")
    double reg;

    @Option(names = "--implicit", description = "Implicit feedback (confidence 1 + alpha*|r|) instead of explicit.")
    boolean implicit;

    @Option(names = "--alpha", defaultValue = "1.0", description = "Implicit confidence slope. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--nonnegative", description = "Constrain factors to be >= 0.")
    boolean nonnegative;

    @Option(names = "--solver", defaultValue = "cholesky", description = "cholesky (exact) or cg (implicit only, "
        + "warm-started). Default: ${DEFAULT-VALUE}.")
    String solver;

    @Option(names = "--cg-steps", defaultValue = "3", description = "Conjugate-gradient steps. Default: ${DEFAULT-VALUE}.")
    int cgSteps;

    @Option(names = "--als-seed", defaultValue = "" + AlsParams.SPARK_DEFAULT_SEED,
        description = "Seed of the initial factors. Default: Spark's, ${DEFAULT-VALUE}.")
    long alsSeed;

    @Option(names = "--top", defaultValue = "10", description = "K: recommendations per user, and the cut-off of "
        + "the ranking metrics. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(names = "--exclude-seen", description = "Leave each user's training items out of recommendations.csv "
        + "(ranking metrics always exclude them).")
    boolean excludeSeen;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or gpu. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--show", defaultValue = "5", description = "Users whose top lists are printed. Default: "
        + "${DEFAULT-VALUE}.")
    int show;

    @Option(names = "--json", description = "Print metrics.json instead of the human summary.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        RunOptions options = options(cl);
        PrintWriter w = cl.getOut();
        SeedPipeline.Listener listener = json ? SeedPipeline.Listener.SILENT : new SeedPipeline.Listener() {
            @Override
            public void iteration(int iteration, int max, double seconds) {
                w.printf(Locale.ROOT, "  iteration %d/%d  %s%n", iteration, max, Format.secs(seconds));
                w.flush();
            }

            @Override
            public void stage(String name, double seconds) {
                w.printf(Locale.ROOT, "%-10s %s%n", name, Format.secs(seconds));
                w.flush();
            }
        };
        SeedPipeline.Result r = SeedPipeline.run(options, out, listener);
        if (json) {
            w.print(Json.write(r.metrics()));
        } else {
            summary(w, r, options);
        }
        w.flush();
        return 0;
    }

    private RunOptions options(CommandLine cl) {
        AlsParams als;
        try {
            als = AlsParams.builder().rank(rank).maxIter(maxIter).regParam(reg).implicitPrefs(implicit).alpha(alpha)
                .nonnegative(nonnegative).solver(AlsParams.Solver.parse(solver)).cgSteps(cgSteps).seed(alsSeed)
                .threads(front.threads(cl)).build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().startsWith("No enum")
                ? "invalid --solver '" + solver + "': expected cholesky or cg" : e.getMessage());
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(cl, "--top must be >= 1");
        }
        if (!backend.matches("auto|cpu|gpu")) {
            throw new CommandLine.ParameterException(cl, "invalid --backend '" + backend + "': expected auto, cpu or gpu");
        }
        switch (format.toLowerCase(Locale.ROOT)) {
            case "listenings" -> {
                if (data == null) {
                    throw new CommandLine.ParameterException(cl, "--data FILE is required (or --format triples "
                        + "with --train and --test)");
                }
                if (train != null || test != null) {
                    throw new CommandLine.ParameterException(cl, "--train/--test need --format triples");
                }
                PrepareOptions prep = front.prepareOptions(cl, SplitSpec.random(0.5, front.seed));
                return new RunOptions(data, prep, null, null, als, backend, top, excludeSeen);
            }
            case "triples" -> {
                if (train == null || test == null || data != null) {
                    throw new CommandLine.ParameterException(cl, "--format triples needs --train FILE and --test FILE "
                        + "(and no --data)");
                }
                return new RunOptions(null, null, train, test, als, backend, top, excludeSeen);
            }
            default -> throw new CommandLine.ParameterException(cl, "invalid --format '" + format
                + "': expected listenings or triples");
        }
    }

    private void summary(PrintWriter w, SeedPipeline.Result r, RunOptions o) {
        Map<String, Object> m = r.metrics();
        int k = o.top();
        w.println();
        if (m.containsKey("rows_read")) {
            w.printf(Locale.ROOT, "data       %s rows read, %s kept -> %s pairs, %s users, %s items; train %s, test %s pairs%n",
                Format.count(num(m, "rows_read")), Format.count(num(m, "rows_kept")), Format.count(num(m, "pairs")),
                Format.count(num(m, "users")), Format.count(num(m, "items")), Format.count(num(m, "train_pairs")),
                Format.count(num(m, "test_pairs")));
        } else {
            w.printf(Locale.ROOT, "data       %s train and %s test ratings, %s users, %s items%n",
                Format.count(num(m, "train_ratings")), Format.count(num(m, "test_ratings")),
                Format.count(num(m, "users")), Format.count(num(m, "items")));
        }
        AlsParams p = o.als();
        w.printf(Locale.ROOT, "model      %s ALS, rank %d, %d iterations, regParam %s%s on %s; %s users and %s items "
                + "with factors%n", p.implicitPrefs() ? "implicit" : "explicit", p.rank(), p.maxIter(), p.regParam(),
            p.implicitPrefs() ? ", alpha " + p.alpha() : "", m.get("backend"),
            Format.count(r.model().usersWithFactors()), Format.count(r.model().itemsWithFactors()));
        if (m.get("fallback_reason") != null) {
            w.printf("           (not on the preferred backend: %s)%n", m.get("fallback_reason"));
        }
        w.printf(Locale.ROOT, "RMSE       %s   MAE %s   (%s test pairs scored, %s cold pairs skipped)%n", fmt(m.get("rmse")),
            fmt(m.get("mae")), Format.count(num(m, "test_pairs_scored")), Format.count(num(m, "cold_pairs_skipped")));
        double prec = ((Number) m.get("precision_at_" + k)).doubleValue();
        double pop = ((Number) m.get("popularity_precision_at_" + k)).doubleValue();
        w.printf(Locale.ROOT, "ranking@%d  precision %.4f  recall %.4f  MAP %.4f  NDCG %.4f   (%s test users)%n", k, prec,
            ((Number) m.get("recall_at_" + k)).doubleValue(), ((Number) m.get("map_at_" + k)).doubleValue(),
            ((Number) m.get("ndcg_at_" + k)).doubleValue(), Format.count(num(m, "ranking_queries")));
        w.printf(Locale.ROOT, "baseline   most-popular precision@%d %.4f  (ALS %s)%n", k, pop,
            pop > 0 ? String.format(Locale.ROOT, prec / pop < 1 ? "%.2fx" : "%.1fx", prec / pop) : "n/a");
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) m.get("timings_s");
        StringBuilder sb = new StringBuilder("time      ");
        t.forEach((name, v) -> sb.append(' ').append(name).append(' ').append(Format.secs((Double) v)));
        w.println(sb);
        w.println();
        showLists(w, r.model(), r.recommendations());
        w.printf("Wrote %s/{recommendations.csv,users.csv,items.csv,metrics.json}%n", out);
    }

    /** The first users' lists, the way the seed's {@code show()} printed them. */
    private void showLists(PrintWriter w, AlsModel model, Recommendations recs) {
        int shown = 0;
        for (int u = 0; u < recs.rows() && shown < show; u++) {
            if (recs.count(u) == 0) {
                continue;
            }
            w.printf("%s%n", model.users().label(u));
            for (int q = 0; q < recs.count(u); q++) {
                String item = model.items().label(recs.id(u, q));
                int tab = item.indexOf(ItemKey.ARTIST_TRACK_SEPARATOR);
                String shownItem = tab >= 0 ? item.substring(tab + 1) + " — " + item.substring(0, tab) : item;
                w.printf(Locale.ROOT, "  %2d. %-50s %8.3f%n", q + 1, shownItem, recs.score(u, q));
            }
            shown++;
        }
    }

    private static long num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static String fmt(Object v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", ((Number) v).doubleValue());
    }
}
