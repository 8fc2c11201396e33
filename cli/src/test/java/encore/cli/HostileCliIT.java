package encore.cli;

import encore.cli.Jar.Proc;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input and small machines through the shaded jar: exit code 1 and one line on stderr naming the file (and
 * line) — never a stack trace — and nothing partial in the output directory.
 */
class HostileCliIT {
    @TempDir
    static Path dir;

    static Proc encore(String heap, String... args) throws IOException, InterruptedException {
        return Jar.run(dir, heap + "-quick", args);
    }

    static Path corpus(String name) {
        return Path.of(System.getProperty("encore.corpus")).resolve(name);
    }

    static void oneLineError(Proc p, String startsWith, String contains) {
        assertEquals(1, p.code(), p.err());
        assertEquals(1, p.err().lines().count(), p.err());
        assertFalse(p.err().contains("\tat ") || p.err().contains("Exception:"), p.err());
        assertTrue(p.err().startsWith("encore: " + startsWith), p.err());
        assertTrue(p.err().contains(contains), p.err());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "listenings/empty.csv|skip|0|empty file",
                "listenings/semicolon.csv|skip|1|separated by ';'",
                "listenings/invalid-utf8.csv|fail|3|malformed row (invalid_utf8",
                "listenings/unterminated-quote-at-eof.csv|fail|3|unterminated_quote",
                "listenings/utf16le-bom.csv|skip|1|UTF-16",
                "listenings/header-with-quoted-newline.csv|skip|1|user\\nid",
                "listenings/gzip-truncated.csv.gz|skip|0|truncated gzip stream"
            })
    void prepareRefusesWithFileAndLine(String file, String policy, int line, String text) throws Exception {
        Path out = dir.resolve("prep-" + file.replace('/', '-'));
        Path f = corpus(file);
        Proc p = encore("256m", "prepare", "--data", f.toString(), "--out", out.toString(), "--bad-rows", policy);
        oneLineError(p, f + (line > 0 ? ":" + line : "") + ": ", text);
        assertFalse(Files.exists(out) && Files.list(out).findAny().isPresent(), "nothing written");
    }

    @Test
    void overlongRowIsSkippedAndCounted() throws Exception {
        StringBuilder sb = new StringBuilder("user_id,date,track,artist,album\nu1,1,Song,Band,Record\nu2");
        sb.append(",x".repeat(5000)).append("\nu3,3,Song,Band,Record\n");
        Path f = Files.writeString(dir.resolve("wide.csv"), sb);
        Proc p = encore(
                "256m",
                "prepare",
                "--data",
                f.toString(),
                "--out",
                dir.resolve("wide").toString(),
                "--json");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("\"too_many_fields\": 1"), p.out());
        Proc strict = encore(
                "256m",
                "prepare",
                "--data",
                f.toString(),
                "--out",
                dir.resolve("wide2").toString(),
                "--bad-rows",
                "fail");
        oneLineError(strict, f + ":3: ", "too_many_fields");
    }

    @Test
    void triplesWithNaNDirectoryAndMissingFile() throws Exception {
        Path nan = corpus("triples/nan.tsv");
        Path ok = corpus("triples/ok.tsv");
        oneLineError(
                encore(
                        "256m",
                        "run",
                        "--format",
                        "triples",
                        "--train",
                        nan.toString(),
                        "--test",
                        ok.toString(),
                        "--out",
                        dir.resolve("t").toString()),
                nan + ":2: ",
                "'NaN' is not a finite number");
        oneLineError(
                encore(
                        "256m",
                        "prepare",
                        "--data",
                        dir.toString(),
                        "--out",
                        dir.resolve("d").toString()),
                dir + ": ",
                "is a directory");
        oneLineError(
                encore(
                        "256m",
                        "train",
                        "--format",
                        "triples",
                        "--train",
                        dir.resolve("nope.tsv").toString(),
                        "--model",
                        dir.resolve("m.encore").toString()),
                dir.resolve("nope.tsv") + ": ",
                "no such file");
    }

    @Test
    void tooSmallAHeapIsRefusedWithTheHeapToUse() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append('u').append(i).append('\t').append('i').append(i % 8000).append("\t1\n");
        }
        Path f = Files.writeString(dir.resolve("wide.tsv"), sb);
        Path model = dir.resolve("mem").resolve("m.encore");
        Proc p = encore(
                "96m",
                "train",
                "--format",
                "triples",
                "--train",
                f.toString(),
                "--rank",
                "1024",
                "--model",
                model.toString());
        oneLineError(
                p,
                "not enough memory: the ALS factors of 20000 users and 8000 items at rank 1024 need about ",
                "ENCORE_HEAP=");
        assertFalse(Files.exists(model));
    }

    @Test
    void outputThatCannotBeWrittenIsOneLineAndNothingPartial() throws Exception {
        Path csv = corpus("listenings/bom.csv");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        oneLineError(
                encore("256m", "prepare", "--data", csv.toString(), "--out", file.toString()),
                file.toString(),
                "already exists and is not a directory");
        Path ro = dir.resolve("read-only");
        Files.createDirectories(ro);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(ro), "running as root: every directory is writable");
            Proc p = encore("256m", "prepare", "--data", csv.toString(), "--out", ro.toString());
            oneLineError(p, ro.toString(), "permission denied");
            try (Stream<Path> s = Files.list(ro)) {
                assertEquals(0, s.count());
            }
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * The root-proof half of the test above (a read-only directory is writable for root): an output directory that
     * cannot be created because a file holds a parent's name, and a result file whose name a non-empty directory
     * holds. Both are one line naming the path; nothing is created, the previous result stays, no temporary is left.
     */
    @Test
    void outputBlockedWhateverThePrivilegesIsOneLineAndNothingPartial() throws Exception {
        Path csv = corpus("listenings/bom.csv");
        Path file = Files.writeString(dir.resolve("a-file-as-parent"), "x");
        oneLineError(
                encore(
                        "256m",
                        "prepare",
                        "--data",
                        csv.toString(),
                        "--out",
                        file.resolve("out").toString()),
                file.toString(),
                "already exists and is not a directory");
        assertEquals("x", Files.readString(file));

        Path out = dir.resolve("blocked-result");
        Proc first = encore("256m", "prepare", "--data", csv.toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, first.code(), first.err());
        byte[] users = Files.readAllBytes(out.resolve("users.csv"));
        byte[] items = Files.readAllBytes(out.resolve("items.csv"));
        Files.delete(out.resolve("prepare.json"));
        Files.createDirectories(out.resolve("prepare.json").resolve("kept"));
        Proc p = encore(
                "256m",
                "prepare",
                "--data",
                corpus("listenings/extra-columns.csv").toString(),
                "--out",
                out.toString());
        oneLineError(p, out.resolve("prepare.json").toString(), "is a directory");
        assertArrayEquals(users, Files.readAllBytes(out.resolve("users.csv")));
        assertArrayEquals(items, Files.readAllBytes(out.resolve("items.csv")));
        assertTrue(Files.isDirectory(out.resolve("prepare.json").resolve("kept")));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(3, s.count(), "users.csv, items.csv and the directory; no temporary file");
        }
    }
}
