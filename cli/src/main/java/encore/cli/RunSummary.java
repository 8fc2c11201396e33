package encore.cli;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.ItemKey;
import encore.pipeline.RunOptions;
import encore.pipeline.RunPipeline;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** The human summary of a pipeline run, shared by {@code run} and {@code demo}. */
final class RunSummary {
    private RunSummary() {}

    static void print(PrintWriter w, RunPipeline.Result r, RunOptions o, Path out, int show) {
        Map<String, Object> m = r.metrics();
        int k = o.top();
        w.println();
        if (m.containsKey("rows_read")) {
            w.printf(
                    Locale.ROOT,
                    "data       %s rows read, %s kept -> %s pairs, %s users, %s items; train %s, test %s pairs%n",
                    Format.count(num(m, "rows_read")),
                    Format.count(num(m, "rows_kept")),
                    Format.count(num(m, "pairs")),
                    Format.count(num(m, "users")),
                    Format.count(num(m, "items")),
                    Format.count(num(m, "train_pairs")),
                    Format.count(num(m, "test_pairs")));
        } else {
            w.printf(
                    Locale.ROOT,
                    "data       %s train and %s test ratings, %s users, %s items%n",
                    Format.count(num(m, "train_ratings")),
                    Format.count(num(m, "test_ratings")),
                    Format.count(num(m, "users")),
                    Format.count(num(m, "items")));
        }
        AlsParams p = o.als().params();
        w.printf(
                Locale.ROOT,
                "model      %s ALS, rank %d, %d iterations, regParam %s%s on %s; %s users and %s items "
                        + "with factors%n",
                p.implicitPrefs() ? "implicit" : "explicit",
                p.rank(),
                p.maxIter(),
                p.regParam(),
                p.implicitPrefs() ? ", alpha " + p.alpha() : "",
                m.get("backend"),
                Format.count(r.model().usersWithFactors()),
                Format.count(r.model().itemsWithFactors()));
        if (m.get("fallback_reason") != null) {
            w.printf("           (not on the preferred backend: %s)%n", m.get("fallback_reason"));
        }
        if (m.get("recommend_fallback_reason") != null) {
            w.printf("           (recommendations on the CPU: %s)%n", m.get("recommend_fallback_reason"));
        }
        w.printf(
                Locale.ROOT,
                "RMSE       %s   MAE %s   (%s test pairs scored, %s cold pairs skipped)%n",
                fmt(m.get("rmse")),
                fmt(m.get("mae")),
                Format.count(num(m, "test_pairs_scored")),
                Format.count(num(m, "cold_pairs_skipped")));
        double prec = ((Number) m.get("precision_at_" + k)).doubleValue();
        double pop = ((Number) m.get("popularity_precision_at_" + k)).doubleValue();
        w.printf(
                Locale.ROOT,
                "ranking@%d  precision %.4f  recall %.4f  MAP %.4f  NDCG %.4f   (%s test users)%n",
                k,
                prec,
                ((Number) m.get("recall_at_" + k)).doubleValue(),
                ((Number) m.get("map_at_" + k)).doubleValue(),
                ((Number) m.get("ndcg_at_" + k)).doubleValue(),
                Format.count(num(m, "ranking_queries")));
        w.printf(
                Locale.ROOT,
                "baseline   most-popular precision@%d %.4f  (ALS %s)%n",
                k,
                pop,
                pop > 0 ? String.format(Locale.ROOT, prec / pop < 1 ? "%.2fx" : "%.1fx", prec / pop) : "n/a");
        @SuppressWarnings("unchecked")
        Map<String, Object> t = (Map<String, Object>) m.get("timings_s");
        StringBuilder sb = new StringBuilder("time      ");
        t.forEach((name, v) -> sb.append(' ').append(name).append(' ').append(Format.secs((Double) v)));
        w.println(sb);
        w.println();
        showLists(w, r.model(), r.recommendations(), show);
        w.printf("Wrote %s/{recommendations.csv,users.csv,items.csv,metrics.json}%n", out);
    }

    /** The first users' lists, the way the recipe's {@code show()} printed them. */
    static void showLists(PrintWriter w, AlsModel model, Recommendations recs, int show) {
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
