package encore.bench.vs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static final Map<String, Object> MACHINE =
            Map.of("cores", 2, "cpu", "test", "memory", "1 GB", "java", "J 17", "os", "x", "gpu", "none");

    private static Results seed(String engine, double scale, double rmse) {
        Results r = new Results(engine, "seed").info("train_pairs", 10).info("test_pairs", 5);
        for (int run = 0; run < 3; run++) {
            var m = r.newRun();
            m.put("read_clean", scale * (1 + run));
            m.put("aggregate", scale);
            m.put("index", scale);
            m.put("fit", 5 * scale);
            m.put("recommend_all", 2 * scale);
        }
        r.metric("rmse", rmse);
        return r;
    }

    private static Report report(Results e, Results s) {
        return new Report("seed", e, s, MACHINE, "bench/run vs seed", new Opts(new String[] {"--iters", "5"}));
    }

    @Test
    void mediansRatiosAndGoals() {
        Report r = report(seed("encore", 1, 1.0), seed("spark", 20, 1.0));
        String md = r.markdown();
        // read_clean medians 2 and 40: speed-up 20×
        assertTrue(md.contains("| read_clean | 2.00 | 40.00 | 0.0500 | 20× |"), md);
        assertEquals(3, r.goals().size());
        assertTrue(r.goals().get(0).met()); // front end 20× ≥ 10×
        assertFalse(r.goals().get(1).met()); // ALS 20× < 30×
        assertEquals(1.0, r.goals().get(1).encore(), 1e-12); // fit 5 s / 5 iterations
        assertTrue(md.contains("missed by 1.5×"), md);
        assertTrue(r.parity());
        assertTrue(md.contains("## Parity checks: PASS"));
    }

    @Test
    void parityFailureIsReported() {
        Report r = report(seed("encore", 1, 1.1), seed("spark", 20, 1.0));
        assertFalse(r.parity());
        assertTrue(r.markdown().contains("FAIL"));
        assertTrue(compact(r.json()).contains("\"pass\":false"), r.json());
    }

    @Test
    void withoutSparkThereAreNoRatiosAndParityFails() {
        Report r = report(seed("encore", 1, 1.0), null);
        assertFalse(r.parity(), "a missing comparison is a failure");
        assertTrue(r.markdown().contains("## Parity checks: FAIL"), r.markdown());
        assertTrue(r.markdown().contains("no Spark results to compare with"), r.markdown());
        assertTrue(r.markdown().contains("Spark: not run."));
        assertFalse(r.json().contains("\"ratios\""));
    }

    @Test
    void writesMarkdownJsonAndWellFormedSvg(@TempDir Path dir) throws Exception {
        report(seed("encore", 1, 1.0), seed("spark", 20, 1.0)).write(dir);
        String json = compact(Files.readString(dir.resolve("bench-report.json")));
        assertTrue(json.contains("\"machine\":{\"cores\":2"), json);
        assertTrue(json.contains("\"runs\":[{"), json);
        assertTrue(json.contains("\"speedup_spark_over_encore\":20.0"), json);
        assertTrue(Files.readString(dir.resolve("bench-report.md")).contains("![chart](bench-report.svg)"));
        parseXml(Files.readString(dir.resolve("bench-report.svg")));
    }

    @Test
    void scalingChartIsALineChartPerEngineAndMode() throws Exception {
        Results e = new Results("encore", "scaling");
        Results s = new Results("spark", "scaling");
        for (Results r : new Results[] {e, s}) {
            var m = r.newRun();
            for (int rank : new int[] {10, 32, 64}) {
                m.put("explicit_r" + rank, rank * (r == e ? 0.01 : 1.0));
                m.put("implicit_r" + rank, rank * (r == e ? 0.02 : 2.0));
            }
        }
        String svg = new Report("scaling", e, s, MACHINE, "c", new Opts(new String[0])).svg();
        parseXml(svg);
        assertEquals(4, svg.split("<polyline").length - 1);
        assertTrue(svg.contains("Spark implicit"));
    }

    @Test
    void logRangeCoversAllValues() {
        double[] r = Svg.logRange(new double[] {0.03, 200}, new double[] {Double.NaN, 0});
        assertEquals(-2, r[0]);
        assertEquals(3, r[1]);
        assertEquals(
                1,
                Svg.logRange(new double[] {10}, new double[0])[1] - Svg.logRange(new double[] {10}, new double[0])[0]);
    }

    private static String compact(String json) {
        return json.replaceAll("\\s+", "");
    }

    private static void parseXml(String s) throws Exception {
        DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }
}
