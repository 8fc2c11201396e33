package encore.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncoreCliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    /** {@code a} followed by {@code b}: a command line from its parts. */
    static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EncoreCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpAndVersion() {
        Result h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("generate"));
        assertTrue(h.out().contains("prepare"));
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("encore "));
    }

    @Test
    void usageErrorsExit2WithOneLineAndNoStackTrace() {
        Result r = run("prepare", "--data", "x.csv");
        assertEquals(2, r.code());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertEquals("encore: Missing required option: '--out=DIR' (see 'encore prepare --help')", lines.get(0));
        assertFalse(r.err().contains("\tat "));
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run().code());
        assertEquals(
                2,
                run("prepare", "--data", "a", "--out", "b", "--item-key", "genre")
                        .code());
        assertEquals(
                2,
                run("prepare", "--data", "a", "--out", "b", "--split", "0.5", "--holdout", "0.2")
                        .code());
        assertEquals(
                2, run("prepare", "--data", "a", "--out", "b", "--split", "1.5").code());
        assertEquals(2, run("generate", "--rows", "0", "--out", "x").code());
    }

    @Test
    void dataErrorsExit1WithFileAndLineAndVerboseShowsTheTrace() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "user_id,track,artist,album\nu,t,a,b\nu,t,a,b,extra\n", StandardCharsets.UTF_8);
        Result r = run(
                "prepare", "--data", bad.toString(), "--out", dir.resolve("o").toString(), "--bad-rows", "fail");
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("encore: " + bad + ":3: malformed row (too_many_fields"), r.err());
        assertFalse(Files.exists(dir.resolve("o").resolve("prepare.json")), "nothing written on failure");
        Result missing = run("prepare", "--data", dir.resolve("none.csv").toString(), "--out", dir.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("none.csv: no such file"), missing.err());
        Result verbose =
                run("--verbose", "prepare", "--data", dir.resolve("none.csv").toString(), "--out", dir.toString());
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");
    }

    @Test
    void generateThenPrepareWritesEveryFile() throws Exception {
        Path csv = dir.resolve("l.csv");
        Result g = run("generate", "--rows", "20000", "--seed", "3", "--out", csv.toString());
        assertEquals(0, g.code(), g.err());
        Path out = dir.resolve("prep");
        Result p = run("prepare", "--data", csv.toString(), "--out", out.toString(), "--split", "0.5", "--seed", "7");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("rows"), p.out());
        for (String f : List.of("users.csv", "items.csv", "train.tsv", "test.tsv", "prepare.json")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        String json = Files.readString(out.resolve("prepare.json"));
        assertTrue(json.contains("\"rows_read\": 20000"), json);
        assertTrue(json.contains("\"timings_s\""), json);
        List<String> users = Files.readAllLines(out.resolve("users.csv"));
        assertEquals("index,label,frequency", users.get(0));
        assertTrue(users.get(1).startsWith("0,user_"), users.get(1));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
        assertEquals(
                "",
                run("prepare", "--data", csv.toString(), "--out", out.toString(), "--quiet")
                        .out());
        assertEquals(
                "",
                run("generate", "--rows", "2000", "--out", dir.resolve("q.csv").toString(), "-q")
                        .out());
        assertTrue(
                run("generate", "--rows", "2000", "--out", dir.resolve("q.csv").toString(), "--json")
                        .out()
                        .contains("\"rows\": 2000"));
        Result json2 = run("prepare", "--data", csv.toString(), "--out", out.toString(), "--json");
        assertEquals(0, json2.code());
        assertTrue(json2.out().trim().startsWith("{") && json2.out().contains("\"pairs\""));
    }
}
