package encore.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoDoctorTest {
    @TempDir
    Path dir;

    @Test
    void demoAtReducedSizeBeatsThePopularityBaseline() throws Exception {
        Path out = dir.resolve("demo");
        EncoreCliTest.Result r = run("demo", "--rows", "60000", "--rank", "16", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out();
        double als = number(json, "precision_at_10");
        double pop = number(json, "popularity_precision_at_10");
        assertTrue(als > 2 * pop, "ALS " + als + " vs most-popular " + pop);
        assertTrue(Files.exists(out.resolve("recommendations.csv")));
        EncoreCliTest.Result human =
                run("demo", "--rows", "60000", "--rank", "16", "--out", out.toString(), "--show", "1");
        assertEquals(0, human.code(), human.err());
        assertTrue(human.out().contains("Using cached"), human.out());
        assertTrue(human.out().contains(" — "), "track — artist lines: " + human.out());
        assertTrue(run("demo", "--rows", "60000", "--out", out.toString(), "--quiet")
                .out()
                .isEmpty());
    }

    /** The CPU backend is always there; auto picks the GPU exactly where one is usable, else says why not. */
    @Test
    void doctorFindsTheBackendsOfThisHost() {
        EncoreCliTest.Result r = run("doctor");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("cpu    available"), r.out());
        String reason = ThisHost.gpuUnavailableReason();
        if (reason == null) {
            assertTrue(r.out().contains("gpu    available"), r.out());
            assertTrue(r.out().contains("auto      -> gpu\n"), r.out());
        } else {
            assertTrue(r.out().contains("gpu    unavailable: " + reason), r.out());
            assertTrue(r.out().contains("auto      -> cpu (skipped: gpu: " + reason + ")"), r.out());
        }
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": ([0-9.Ee-]+)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return Double.parseDouble(m.group(1));
    }
}
