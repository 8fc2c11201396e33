package encore.bench.vs;

import encore.util.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns both engines' results into {@code bench-report.md} (tables), {@code bench-report.json} (raw runs, medians,
 * ratios, machine, parity) and {@code bench-report.svg} (the chart), and says whether quality parity held.
 */
public final class Report {
    /** The speed goals of the issue (Spark time / Encore time on the same machine). */
    public record Goal(String name, double encore, double spark, double target) {
        /** Spark time / Encore time. */
        public double speedup() {
            return Stats.ratio(spark, encore);
        }

        /** True when the speed-up reaches the target. */
        public boolean met() {
            return speedup() >= target;
        }
    }

    private final String scenario;
    private final Results encore;
    private final Results spark;
    private final Map<String, Object> machine;
    /** How Encore drew its initial factors, for the report: the flag, and its seed and block count. */
    private final String initFlag;

    private final String initDetail;
    private final String command;
    private final List<String> stages;
    private final double[] encoreMedian;
    private final double[] sparkMedian;
    private final List<Parity.Check> checks;
    private final List<Goal> goals;

    /**
     * @param spark   null when only Encore ran (no ratios, no parity)
     * @param machine facts of the machine ({@link Machine#describe()})
     * @param command the command line, for the report
     */
    public Report(String scenario, Results encore, Results spark, Map<String, Object> machine, String command, Opts o) {
        this.scenario = scenario;
        this.encore = encore;
        this.spark = spark;
        this.machine = machine;
        this.command = command;
        this.initFlag = "--init " + Scenario.alsInit(o).name().toLowerCase(Locale.ROOT);
        this.initDetail = "(seed " + Scenario.alsSeed(o) + ", " + Scenario.numBlocks(o) + " blocks)";
        List<String> s = new ArrayList<>(encore.stages());
        if (spark != null) {
            for (String st : spark.stages()) {
                if (!s.contains(st)) {
                    s.add(st);
                }
            }
        }
        this.stages = s;
        encoreMedian = medians(encore, s);
        sparkMedian = spark == null ? null : medians(spark, s);
        checks = spark == null ? List.of() : Parity.checks(encore, spark);
        goals = spark == null || !scenario.equals("seed") ? List.of() : seedGoals(o);
    }

    /** Median seconds per stage, NaN where the engine has no such stage. */
    static double[] medians(Results r, List<String> stages) {
        double[] m = new double[stages.size()];
        for (int i = 0; i < m.length; i++) {
            m[i] = Stats.median(r.samples(stages.get(i)));
        }
        return m;
    }

    private List<Goal> seedGoals(Opts o) {
        int iters = Scenario.seed(o).iters();
        List<Goal> g = new ArrayList<>();
        g.add(new Goal(
                "front end (read+clean + aggregate + index)",
                sum("read_clean", "aggregate", "index", true),
                sum("read_clean", "aggregate", "index", false),
                10));
        g.add(new Goal(
                "ALS per iteration (fit / " + iters + ")",
                median("fit", true) / iters,
                median("fit", false) / iters,
                30));
        g.add(new Goal("recommend-all top-10", median("recommend_all", true), median("recommend_all", false), 10));
        return g;
    }

    private double median(String stage, boolean enc) {
        int i = stages.indexOf(stage);
        return i < 0 ? Double.NaN : (enc ? encoreMedian : sparkMedian)[i];
    }

    private double sum(String a, String b, String c, boolean enc) {
        return median(a, enc) + median(b, enc) + median(c, enc);
    }

    /** True when Spark's results were there to compare with and every parity check passed ({@link Parity#pass}). */
    public boolean parity() {
        return spark != null && Parity.pass(checks);
    }

    /** The goals (seed scenario only). */
    public List<Goal> goals() {
        return goals;
    }

    /** The Markdown report. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Encore vs Spark MLlib: ").append(scenario).append("\n\n");
        sb.append("Command: `").append(command).append("`  \n");
        sb.append("Machine: ")
                .append(machine.get("cores"))
                .append(" cores (")
                .append(machine.get("cpu"))
                .append("), ")
                .append(machine.get("memory"))
                .append(" RAM, GPU: ")
                .append(machine.get("gpu"))
                .append(", ")
                .append(machine.get("java"))
                .append(", max heap (MiB) Encore ")
                .append(encore.info().getOrDefault("max_heap_mib", "?"))
                .append(", Spark ")
                .append(spark == null ? "–" : spark.info().getOrDefault("max_heap_mib", "?"))
                .append("; ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .append(".\n\n");
        sb.append("Encore: ").append(describe(encore)).append("  \n");
        if (spark != null) {
            sb.append("Spark: ").append(describe(spark)).append("\n\n");
        } else {
            sb.append("Spark: not run.\n\n");
        }
        sb.append("ALS initial factors: Encore `")
                .append(initFlag)
                .append("` ")
                .append(initDetail)
                .append(spark == null ? "" : "; Spark its own")
                .append(".\n\n");
        sb.append("## Stage times (median seconds of the timed runs)\n\n");
        sb.append("| stage | Encore | Spark | Encore/Spark | speed-up (Spark/Encore) |\n|---|---:|---:|---:|---:|\n");
        for (int i = 0; i < stages.size(); i++) {
            double e = encoreMedian[i];
            double s = sparkMedian == null ? Double.NaN : sparkMedian[i];
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s |%n",
                    stages.get(i),
                    secs(e),
                    secs(s),
                    ratio(Stats.ratio(e, s), ""),
                    ratio(Stats.ratio(s, e), "×")));
        }
        if (!goals.isEmpty()) {
            sb.append("\n## Speed goals (Spark/Encore on this machine)\n\n");
            sb.append("| goal | Encore s | Spark s | speed-up | target | result |\n|---|---:|---:|---:|---:|---|\n");
            for (Goal g : goals) {
                String result = g.met()
                        ? "met"
                        : Double.isNaN(g.speedup())
                                ? "n/a"
                                : String.format(
                                        Locale.ROOT,
                                        "missed by %.1f× (%.0f %% of the target)",
                                        g.target() / g.speedup(),
                                        100 * g.speedup() / g.target());
                sb.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %s | ≥ %.0f× | %s |%n",
                        g.name(),
                        secs(g.encore()),
                        secs(g.spark()),
                        ratio(g.speedup(), "×"),
                        g.target(),
                        result));
            }
        }
        sb.append("\n## Quality\n\n| metric | Encore | Spark |\n|---|---:|---:|\n");
        List<String> names = new ArrayList<>(encore.metrics().keySet());
        if (spark != null) {
            for (String n : spark.metrics().keySet()) {
                if (!names.contains(n)) {
                    names.add(n);
                }
            }
        }
        for (String n : names) {
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s |%n",
                    n,
                    num(encore.metrics().get(n)),
                    spark == null ? "–" : num(spark.metrics().get(n))));
        }
        if (spark != null) {
            sb.append("\n## Parity checks: ").append(parity() ? "PASS" : "FAIL").append("\n\n");
            for (Parity.Check c : checks) {
                sb.append("- ").append(c.describe()).append('\n');
            }
            if (!parity() && checks.stream().allMatch(Parity.Check::pass)) {
                sb.append("- no quality metric was measured on both engines: nothing to compare\n");
            }
        } else {
            sb.append("\n## Parity checks: FAIL\n\n- no Spark results to compare with (run with --engines spark)\n");
        }
        sb.append("\n![chart](bench-report.svg)\n");
        return sb.toString();
    }

    /** The chart: stage bars, or for the scaling scenario seconds per iteration against rank. */
    public String svg() {
        if (scenario.equals("scaling")) {
            List<String> rs = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            List<Double> s = new ArrayList<>();
            for (int i = 0; i < stages.size(); i++) {
                if (stages.get(i).contains("_r")) {
                    rs.add(stages.get(i));
                    e.add(encoreMedian[i]);
                    s.add(sparkMedian == null ? Double.NaN : sparkMedian[i]);
                }
            }
            return Svg.lines(
                    "Seconds per ALS iteration vs rank (" + machine.get("cores") + " cores)",
                    "rank",
                    Svg.rankSeries(
                            rs,
                            e.stream().mapToDouble(Double::doubleValue).toArray(),
                            s.stream().mapToDouble(Double::doubleValue).toArray()));
        }
        double[] s = sparkMedian == null ? new double[stages.size()] : sparkMedian;
        if (sparkMedian == null) {
            java.util.Arrays.fill(s, Double.NaN);
        }
        return Svg.bars(
                "Encore vs Spark MLlib, " + scenario + " scenario: median seconds per stage (" + machine.get("cores")
                        + " cores)",
                stages,
                encoreMedian,
                s);
    }

    /** The JSON report: machine, raw runs, medians, ratios, goals and parity. */
    public String json() {
        Map<String, Object> root = Json.object();
        root.put("scenario", scenario);
        root.put("command", command);
        root.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        root.put("machine", new LinkedHashMap<>(new java.util.TreeMap<>(machine)));
        root.put("encore_init", initFlag + " " + initDetail);
        root.put("encore", engine(encore, encoreMedian));
        if (spark != null) {
            root.put("spark", engine(spark, sparkMedian));
            Map<String, Object> ratios = Json.object();
            for (int i = 0; i < stages.size(); i++) {
                Map<String, Object> r = Json.object();
                r.put("encore_over_spark", jnum(Stats.ratio(encoreMedian[i], sparkMedian[i])));
                r.put("speedup_spark_over_encore", jnum(Stats.ratio(sparkMedian[i], encoreMedian[i])));
                ratios.put(stages.get(i), r);
            }
            root.put("ratios", ratios);
            List<Object> gl = new ArrayList<>();
            for (Goal g : goals) {
                Map<String, Object> m = Json.object();
                m.put("goal", g.name());
                m.put("encore_s", jnum(g.encore()));
                m.put("spark_s", jnum(g.spark()));
                m.put("speedup", jnum(g.speedup()));
                m.put("target", g.target());
                m.put("met", g.met());
                gl.add(m);
            }
            root.put("goals", gl);
            Map<String, Object> p = Json.object();
            p.put("pass", parity());
            List<Object> cl = new ArrayList<>();
            for (Parity.Check c : checks) {
                Map<String, Object> m = Json.object();
                m.put("check", c.name());
                m.put("encore", jnum(c.encore()));
                m.put("spark", jnum(c.spark()));
                m.put("rule", c.rule());
                m.put("pass", c.pass());
                cl.add(m);
            }
            p.put("checks", cl);
            root.put("parity", p);
        }
        return Json.write(root);
    }

    /** Writes the three files into {@code dir}. */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bench-report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("bench-report.json"), json(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("bench-report.svg"), svg(), StandardCharsets.UTF_8);
    }

    private Map<String, Object> engine(Results r, double[] med) {
        Map<String, Object> m = Json.object();
        m.put("info", new LinkedHashMap<>(r.info()));
        List<Object> runs = new ArrayList<>();
        for (Map<String, Double> run : r.runs()) {
            Map<String, Object> x = Json.object();
            run.forEach((k, v) -> x.put(k, jnum(v)));
            runs.add(x);
        }
        m.put("runs", runs);
        Map<String, Object> md = Json.object();
        for (int i = 0; i < stages.size(); i++) {
            md.put(stages.get(i), jnum(med[i]));
        }
        m.put("median_s", md);
        Map<String, Object> mt = Json.object();
        r.metrics().forEach((k, v) -> mt.put(k, jnum(v)));
        m.put("metrics", mt);
        return m;
    }

    private static Object jnum(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }

    private static String describe(Results r) {
        StringBuilder sb = new StringBuilder();
        sb.append(r.runs().size()).append(" timed run").append(r.runs().size() == 1 ? "" : "s");
        r.info().forEach((k, v) -> sb.append(", ").append(k).append(' ').append(v));
        return sb.toString();
    }

    private static String secs(double v) {
        return Double.isNaN(v)
                ? "–"
                : v < 0.1 ? String.format(Locale.ROOT, "%.3f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String ratio(double v, String unit) {
        return Double.isNaN(v)
                ? "–"
                : (v >= 10
                                ? String.format(Locale.ROOT, "%.0f", v)
                                : v >= 0.1
                                        ? String.format(Locale.ROOT, "%.2f", v)
                                        : String.format(Locale.ROOT, "%.4f", v))
                        + unit;
    }

    private static String num(Double v) {
        return v == null ? "–" : Parity.fmt(v);
    }

    /** {@code report SCENARIO [options]}: reads OUT/encore.tsv and OUT/spark.tsv, writes the report; 1 on parity failure. */
    public static int run(String scenario, String[] args) throws IOException {
        Opts o = new Opts(args);
        Path out = Scenario.out(o, scenario);
        Results enc = Results.read(out.resolve("encore.tsv"));
        Path sp = out.resolve("spark.tsv");
        Results spk = Files.exists(sp) && !o.has("no-spark") ? Results.read(sp) : null;
        String cmd = System.getProperty("bench.command", "bench/run vs " + scenario + " " + String.join(" ", args));
        Report r = new Report(scenario, enc, spk, Machine.describe(), cmd, o);
        r.write(out);
        System.out.println();
        System.out.print(r.markdown());
        System.out.println("\nwrote " + out.resolve("bench-report.md") + ", bench-report.json, bench-report.svg");
        if (!r.parity()) {
            System.err.println("bench: quality parity FAILED (see the parity checks above)");
            return 1;
        }
        return 0;
    }
}
