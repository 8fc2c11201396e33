package encore.bench.vs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsTest {
    @Test
    void roundTripKeepsRunsStagesMetricsAndInfo(@TempDir Path dir) throws IOException {
        Results r = new Results("encore", "seed").info("users", 3).info("label", "a b");
        r.newRun().put("read", 1.5);
        r.runs().get(0).put("fit", 0.25);
        r.newRun().put("read", 1.25);
        r.runs().get(1).put("fit", 0.5);
        r.metric("rmse", 0.9123456789).metric("nan", Double.NaN);
        Path f = dir.resolve("x/encore.tsv");
        r.write(f);
        Results back = Results.read(f);
        assertEquals("encore", back.engine());
        assertEquals("seed", back.scenario());
        assertEquals("3", back.info().get("users"));
        assertEquals("a b", back.info().get("label"));
        assertEquals(List.of("read", "fit"), back.stages());
        assertArrayEquals(new double[] {1.5, 1.25}, back.samples("read"));
        assertEquals(0.9123456789, back.metrics().get("rmse"), 1e-9);
        assertTrue(back.metrics().get("nan").isNaN());
    }

    @Test
    void samplesSkipRunsWithoutTheStage() {
        Results r = new Results("spark", "scaling");
        r.newRun().put("a", 1.0);
        r.newRun().put("b", 2.0);
        assertArrayEquals(new double[] {1.0}, r.samples("a"));
        assertEquals(List.of("a", "b"), r.stages());
    }

    @Test
    void malformedFilesAreRefusedWithTheLine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.tsv");
        Files.writeString(f, "engine\tencore\nscenario\tseed\nrun\t1\tfit\tfast\n");
        IOException e = assertThrows(IOException.class, () -> Results.read(f));
        assertTrue(e.getMessage().contains(":3:"), e.getMessage());
        Files.writeString(f, "metric\trmse\t1\n");
        assertThrows(IOException.class, () -> Results.read(f));
    }

    @Test
    void tabsInValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Results("encore", "seed").info("k", "a\tb"));
    }
}
