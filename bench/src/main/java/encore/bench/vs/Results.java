package encore.bench.vs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one engine measured in one scenario: the timed runs (stage → seconds, warm-up excluded), quality metrics and
 * free-form facts (data sizes, parameters). Both engines write this file in the same plain format, one record a line,
 * tab-separated, so that the report never depends on the engine's own libraries:
 * <pre>
 *   engine  encore
 *   scenario  seed
 *   info  KEY  VALUE
 *   run  N  STAGE  SECONDS        (N from 1; one line per stage)
 *   metric  NAME  VALUE
 * </pre>
 */
public final class Results {
    private final String engine;
    private final String scenario;
    private final Map<String, String> info = new LinkedHashMap<>();
    private final List<Map<String, Double>> runs = new ArrayList<>();
    private final Map<String, Double> metrics = new LinkedHashMap<>();

    /** Empty results of {@code engine} for {@code scenario}. */
    public Results(String engine, String scenario) {
        this.engine = check(engine);
        this.scenario = check(scenario);
    }

    /** The engine's name ({@code encore} or {@code spark}). */
    public String engine() {
        return engine;
    }

    /** The scenario's name. */
    public String scenario() {
        return scenario;
    }

    /** Facts about the data and settings, in insertion order. */
    public Map<String, String> info() {
        return info;
    }

    /** Records a fact. */
    public Results info(String key, Object value) {
        info.put(check(key), check(String.valueOf(value)));
        return this;
    }

    /** The timed runs, each stage → seconds in stage order. */
    public List<Map<String, Double>> runs() {
        return runs;
    }

    /** Starts a new timed run and returns its (mutable) stage map. */
    public Map<String, Double> newRun() {
        Map<String, Double> r = new LinkedHashMap<>();
        runs.add(r);
        return r;
    }

    /** Quality metrics, name → value. */
    public Map<String, Double> metrics() {
        return metrics;
    }

    /** Records a metric. */
    public Results metric(String name, double value) {
        metrics.put(check(name), value);
        return this;
    }

    /** All stage names in first-seen order. */
    public List<String> stages() {
        List<String> s = new ArrayList<>();
        for (Map<String, Double> r : runs) {
            for (String k : r.keySet()) {
                if (!s.contains(k)) {
                    s.add(k);
                }
            }
        }
        return s;
    }

    /** The values of one stage over the runs that have it. */
    public double[] samples(String stage) {
        return runs.stream()
                .filter(r -> r.containsKey(stage))
                .mapToDouble(r -> r.get(stage))
                .toArray();
    }

    /** Writes the results file. */
    public void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("engine\t").append(engine).append('\n');
        sb.append("scenario\t").append(scenario).append('\n');
        info.forEach(
                (k, v) -> sb.append("info\t").append(k).append('\t').append(v).append('\n'));
        for (int i = 0; i < runs.size(); i++) {
            for (var e : runs.get(i).entrySet()) {
                sb.append("run\t")
                        .append(i + 1)
                        .append('\t')
                        .append(e.getKey())
                        .append('\t')
                        .append(num(e.getValue()))
                        .append('\n');
            }
        }
        metrics.forEach((k, v) ->
                sb.append("metric\t").append(k).append('\t').append(num(v)).append('\n'));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    /** Reads a results file written by {@link #write}. */
    public static Results read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String engine = null;
        String scenario = null;
        Results r = null;
        int no = 0;
        for (String line : lines) {
            no++;
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            try {
                switch (f[0]) {
                    case "engine" -> engine = f[1];
                    case "scenario" -> scenario = f[1];
                    case "info" -> need(r, file, no).info(f[1], f[2]);
                    case "run" -> {
                        Results rr = need(r, file, no);
                        int n = Integer.parseInt(f[1]);
                        while (rr.runs.size() < n) {
                            rr.newRun();
                        }
                        rr.runs.get(n - 1).put(f[2], Double.parseDouble(f[3]));
                    }
                    case "metric" -> need(r, file, no).metric(f[1], Double.parseDouble(f[2]));
                    default -> throw new IOException(file + ":" + no + ": unknown record '" + f[0] + "'");
                }
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new IOException(file + ":" + no + ": malformed line: " + line, e);
            }
            if (r == null && engine != null && scenario != null) {
                r = new Results(engine, scenario);
            }
        }
        if (r == null) {
            throw new IOException(file + ": no engine/scenario header");
        }
        return r;
    }

    private static Results need(Results r, Path file, int no) throws IOException {
        if (r == null) {
            throw new IOException(file + ":" + no + ": record before the engine/scenario header");
        }
        return r;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.9g", v).trim();
    }

    private static String check(String s) {
        if (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("tab or line break in '" + s + "'");
        }
        return s;
    }
}
