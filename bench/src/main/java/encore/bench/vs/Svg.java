package encore.bench.vs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two small hand-written SVG charts, no charting library: grouped horizontal bars (stage times of both engines) and
 * lines (seconds per iteration against rank). Both use a logarithmic time axis, because the engines differ by one to
 * three orders of magnitude; every bar and point is labelled with its value.
 */
public final class Svg {
    private static final String ENCORE = "#1b9e77";
    private static final String SPARK = "#e6550d";
    private static final String[] LINE_COLORS = {"#1b9e77", "#66c2a5", "#e6550d", "#fdae6b", "#7570b3", "#e7298a"};

    private Svg() {}

    /** Stage times side by side: for each stage an Encore bar and a Spark bar (NaN: no bar). */
    public static String bars(String title, List<String> stages, double[] encore, double[] spark) {
        int left = 170;
        int plotW = 520;
        int barH = 13;
        int rowH = 2 * barH + 12;
        int top = 50;
        int h = top + stages.size() * rowH + 45;
        int w = left + plotW + 110;
        double[] range = logRange(encore, spark);
        StringBuilder sb = header(w, h, title);
        legend(sb, left, 36, new String[] {"Encore", "Spark MLlib"}, new String[] {ENCORE, SPARK});
        int axisY = top + stages.size() * rowH;
        for (double d = range[0]; d <= range[1] + 1e-9; d++) {
            double x = left + (d - range[0]) / (range[1] - range[0]) * plotW;
            sb.append(String.format(
                    Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#ddd'/>%n", x, top - 4, x, axisY));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x='%.1f' y='%d' text-anchor='middle'>%s s</text>%n",
                    x,
                    axisY + 16,
                    tick(Math.pow(10, d))));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x='%d' y='%d' text-anchor='middle' fill='#555'>seconds (log scale; "
                        + "median of the timed runs)</text>%n",
                left + plotW / 2,
                axisY + 34));
        for (int s = 0; s < stages.size(); s++) {
            int y = top + s * rowH;
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x='%d' y='%d' text-anchor='end'>%s</text>%n",
                    left - 8,
                    y + barH + 4,
                    esc(stages.get(s))));
            LogAxis axis = new LogAxis(left, plotW, range);
            bar(sb, axis, y, barH, encore[s], ENCORE);
            bar(sb, axis, y + barH + 2, barH, spark[s], SPARK);
        }
        return sb.append("</svg>\n").toString();
    }

    /** One line per series: x (e.g. rank) against y (seconds, log scale). Series map name → {x[], y[]}. */
    public static String lines(String title, String xLabel, Map<String, double[][]> series) {
        int left = 70;
        int top = 50;
        int plotW = 560;
        int plotH = 300;
        int w = left + plotW + 190;
        int h = top + plotH + 50;
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (double[][] p : series.values()) {
            for (int i = 0; i < p[0].length; i++) {
                if (p[1][i] > 0) {
                    xs.add(p[0][i]);
                    ys.add(p[1][i]);
                }
            }
        }
        double xMax = xs.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        double[] range = logRange(ys.stream().mapToDouble(Double::doubleValue).toArray(), new double[0]);
        StringBuilder sb = header(w, h, title);
        for (double d = range[0]; d <= range[1] + 1e-9; d++) {
            double y = top + plotH - (d - range[0]) / (range[1] - range[0]) * plotH;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>%n",
                    left,
                    y,
                    left + plotW,
                    y));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x='%d' y='%.1f' text-anchor='end'>%s s</text>%n",
                    left - 6,
                    y + 4,
                    tick(Math.pow(10, d))));
        }
        List<Double> ticks = xs.stream().distinct().sorted().toList();
        for (double x : ticks) {
            double px = left + x / xMax * plotW;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#eee'/>%n",
                    px,
                    top,
                    px,
                    top + plotH));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>%n",
                    px,
                    top + plotH + 16,
                    tick(x)));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<text x='%d' y='%d' text-anchor='middle' fill='#555'>%s</text>%n",
                left + plotW / 2,
                top + plotH + 36,
                esc(xLabel)));
        int c = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            String color = LINE_COLORS[c % LINE_COLORS.length];
            double[] x = e.getValue()[0];
            double[] y = e.getValue()[1];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < x.length; i++) {
                if (!(y[i] > 0)) {
                    continue;
                }
                double px = left + x[i] / xMax * plotW;
                double py = top + plotH - (Math.log10(y[i]) - range[0]) / (range[1] - range[0]) * plotH;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                sb.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>%n", px, py, color));
                sb.append(String.format(
                        Locale.ROOT,
                        "<text x='%.1f' y='%.1f' font-size='10' fill='%s'>%s</text>%n",
                        px + 5,
                        py - 5,
                        color,
                        value(y[i])));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline points='%s' fill='none' stroke='%s' stroke-width='2'" + "%s/>%n",
                    pts.toString().strip(),
                    color,
                    e.getKey().startsWith("Spark") ? " stroke-dasharray='6,3'" : ""));
            int ly = top + 10 + c * 18;
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'/>"
                            + "<text x='%d' y='%d'>%s</text>%n",
                    left + plotW + 15,
                    ly,
                    left + plotW + 35,
                    ly,
                    color,
                    left + plotW + 40,
                    ly + 4,
                    esc(e.getKey())));
            c++;
        }
        return sb.append("</svg>\n").toString();
    }

    /** Series for {@link #lines} from stage names like {@code explicit_r64}: "Engine mode" → ranks and values. */
    public static Map<String, double[][]> rankSeries(List<String> stages, double[] encore, double[] spark) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        for (String engine : new String[] {"Encore", "Spark"}) {
            double[] v = engine.equals("Encore") ? encore : spark;
            Map<String, List<double[]>> byMode = new LinkedHashMap<>();
            for (int i = 0; i < stages.size(); i++) {
                String s = stages.get(i);
                int r = s.lastIndexOf("_r");
                if (r < 0 || v == null || Double.isNaN(v[i])) {
                    continue;
                }
                byMode.computeIfAbsent(s.substring(0, r), k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(s.substring(r + 2)), v[i]});
            }
            byMode.forEach((mode, pts) -> {
                double[][] xy = new double[2][pts.size()];
                for (int i = 0; i < pts.size(); i++) {
                    xy[0][i] = pts.get(i)[0];
                    xy[1][i] = pts.get(i)[1];
                }
                out.put(engine + " " + mode, xy);
            });
        }
        return out;
    }

    /** A horizontal log-scale axis: {@code plotW} pixels from x = {@code left}, decades {@code range[0..1]}. */
    private record LogAxis(int left, int plotW, double[] range) {}

    private static void bar(StringBuilder sb, LogAxis axis, int y, int barH, double v, String color) {
        int left = axis.left();
        int plotW = axis.plotW();
        double[] range = axis.range();
        if (Double.isNaN(v)) {
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x='%d' y='%d' fill='#999' font-size='10'>n/a</text>%n",
                    left + 4,
                    y + barH - 3));
            return;
        }
        double lv = Math.log10(Math.max(v, Math.pow(10, range[0])));
        double len = Math.max(1, (lv - range[0]) / (range[1] - range[0]) * plotW);
        sb.append(String.format(
                Locale.ROOT, "<rect x='%d' y='%d' width='%.1f' height='%d' fill='%s'/>%n", left, y, len, barH, color));
        sb.append(String.format(
                Locale.ROOT,
                "<text x='%.1f' y='%d' font-size='10'>%s</text>%n",
                left + len + 4,
                y + barH - 3,
                value(v)));
    }

    private static StringBuilder header(int w, int h, String title) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                        + "viewBox='0 0 %d %d' font-family='sans-serif' font-size='12'>%n",
                w,
                h,
                w,
                h));
        sb.append(String.format(Locale.ROOT, "<rect width='%d' height='%d' fill='white'/>%n", w, h));
        sb.append(String.format(
                Locale.ROOT, "<text x='10' y='20' font-size='14' font-weight='bold'>%s</text>%n", esc(title)));
        return sb;
    }

    private static void legend(StringBuilder sb, int x, int y, String[] names, String[] colors) {
        for (int i = 0; i < names.length; i++) {
            int lx = x + i * 140;
            sb.append(String.format(
                    Locale.ROOT,
                    "<rect x='%d' y='%d' width='12' height='12' fill='%s'/><text x='%d' " + "y='%d'>%s</text>%n",
                    lx,
                    y - 10,
                    colors[i],
                    lx + 16,
                    y,
                    esc(names[i])));
        }
    }

    /** Decades [lo, hi] (log10) covering every positive value; at least one decade wide. */
    static double[] logRange(double[] a, double[] b) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] arr : new double[][] {a, b}) {
            for (double v : arr) {
                if (v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            return new double[] {-1, 1};
        }
        double lo = Math.floor(Math.log10(min));
        double hi = Math.ceil(Math.log10(max));
        if (hi <= lo) {
            hi = lo + 1;
        }
        return new double[] {lo, hi};
    }

    private static String tick(double v) {
        return v >= 1
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(
                        Locale.ROOT,
                        "%s",
                        v < 0.01
                                ? String.format(Locale.ROOT, "%.0e", v)
                                : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", ""));
    }

    static String value(double v) {
        return v >= 100
                ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10
                        ? String.format(Locale.ROOT, "%.1f", v)
                        : v >= 0.1 ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
