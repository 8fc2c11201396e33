package encore.cli;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.Recommendations;
import encore.data.ItemKey;
import encore.eval.RankingMetrics;
import encore.eval.RegressionMetrics;
import encore.pipeline.RunOptions;
import encore.pipeline.RunPipeline;
import encore.pipeline.RunReport;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** The human summary of a pipeline run, shared by {@code run} and {@code demo}. */
final class RunSummary {
    private RunSummary() {}

    static void print(PrintWriter w, RunPipeline.Result r, RunOptions o, Path out, int show) {
        RunReport rep = r.report();
        RunReport.Counts c = rep.counts();
        w.println();
        if (!c.fromTriples()) {
            w.printf(
                    Locale.ROOT,
                    "data       %s rows read, %s kept -> %s pairs, %s users, %s items; train %s, test %s pairs%n",
                    Format.count(c.rowsRead()),
                    Format.count(c.rowsKept()),
                    Format.count(c.pairs()),
                    Format.count(c.users()),
                    Format.count(c.items()),
                    Format.count(c.train()),
                    Format.count(c.test()));
        } else {
            w.printf(
                    Locale.ROOT,
                    "data       %s train and %s test ratings, %s users, %s items%n",
                    Format.count(c.train()),
                    Format.count(c.test()),
                    Format.count(c.users()),
                    Format.count(c.items()));
        }
        printModel(w, r, o.als().params());
        printQuality(w, rep.quality());
        StringBuilder sb = new StringBuilder("time      ");
        rep.timings()
                .forEach((name, v) -> sb.append(' ').append(name).append(' ').append(Format.secs(v)));
        w.println(sb);
        w.println();
        showLists(w, r.model(), r.recommendations(), show);
        w.printf("Wrote %s/{recommendations.csv,users.csv,items.csv,metrics.json}%n", out);
    }

    private static void printModel(PrintWriter w, RunPipeline.Result r, AlsParams p) {
        RunReport.Engines e = r.report().engines();
        w.printf(
                Locale.ROOT,
                "model      %s ALS, rank %d, %d iterations, regParam %s%s on %s; %s users and %s items "
                        + "with factors%n",
                p.implicitPrefs() ? "implicit" : "explicit",
                p.rank(),
                p.maxIter(),
                p.regParam(),
                p.implicitPrefs() ? ", alpha " + p.alpha() : "",
                e.fit(),
                Format.count(r.model().usersWithFactors()),
                Format.count(r.model().itemsWithFactors()));
        if (e.fitFallbackReason() != null) {
            w.printf("           (not on the preferred backend: %s)%n", e.fitFallbackReason());
        }
        if (e.recommendFallbackReason() != null) {
            w.printf("           (recommendations on the CPU: %s)%n", e.recommendFallbackReason());
        }
    }

    private static void printQuality(PrintWriter w, RunReport.Quality q) {
        RegressionMetrics reg = q.regression();
        w.printf(
                Locale.ROOT,
                "RMSE       %s   MAE %s   (%s test pairs scored, %s cold pairs skipped)%n",
                fmt(reg.count() == 0 ? null : reg.rmse()),
                fmt(reg.count() == 0 ? null : reg.mae()),
                Format.count(reg.count()),
                Format.count(q.coldPairs()));
        RankingMetrics rank = q.ranking();
        double prec = rank.precisionAtK();
        double pop = q.popularity().precisionAtK();
        w.printf(
                Locale.ROOT,
                "ranking@%d  precision %.4f  recall %.4f  MAP %.4f  NDCG %.4f   (%s test users)%n",
                q.k(),
                prec,
                rank.recallAtK(),
                rank.mapAtK(),
                rank.ndcgAtK(),
                Format.count(rank.queries()));
        w.printf(
                Locale.ROOT,
                "baseline   most-popular precision@%d %.4f  (ALS %s)%n",
                q.k(),
                pop,
                pop > 0 ? String.format(Locale.ROOT, prec / pop < 1 ? "%.2fx" : "%.1fx", prec / pop) : "n/a");
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

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }
}
