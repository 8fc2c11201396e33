package encore.cli;

import encore.als.io.ModelStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static encore.cli.EncoreCliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --data -} (standard input) and {@code --data FIFO} through the commands that take {@code --data}. */
class StandardInputCliTest {
    static final String CSV = "user_id,date,track,artist,album\n"
            + "u1,1,A,x,y\nu1,2,A,x,y\nu1,3,B,x,y\nu2,4,A,x,y\nu2,5,C,x,y\nu3,6,B,x,y\nu3,7,C,x,y\n";

    @TempDir
    Path dir;

    private InputStream savedIn;

    @BeforeEach
    void saveStdin() {
        savedIn = System.in;
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(savedIn);
    }

    static void stdin(String s) {
        System.setIn(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void prepareAndTrainReadStandardInputAndCallItSo() throws Exception {
        stdin(CSV);
        Path out = dir.resolve("prep");
        EncoreCliTest.Result p = run("prepare", "--data", "-", "--out", out.toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().startsWith("Read standard input (" + CSV.length() + " B): 7 rows in "), p.out());
        assertTrue(
                Files.readString(out.resolve("prepare.json")).contains("\"source\": \"standard input\""),
                "prepare.json names the source");
        assertEquals(
                List.of("index,label,frequency", "0,u1,2", "1,u2,2", "2,u3,2"),
                Files.readAllLines(out.resolve("users.csv")));

        stdin(CSV);
        Path model = dir.resolve("m.encore");
        EncoreCliTest.Result t =
                run("train", "--data", "-", "--model", model.toString(), "--rank", "2", "--max-iter", "2", "-q");
        assertEquals(0, t.code(), t.err());
        ModelStore.Stored s = ModelStore.load(model);
        assertEquals("standard input", s.metadata().get("source"));
        assertEquals(3, s.model().users().size());
        assertEquals(3, s.model().items().size());
    }

    @Test
    void runAndTuneReadStandardInputToo() throws Exception {
        stdin(CSV);
        Path run = dir.resolve("run");
        EncoreCliTest.Result r =
                run("run", "--data", "-", "--out", run.toString(), "--rank", "2", "--max-iter", "1", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"source\": \"standard input\""), r.out());
        assertTrue(r.out().contains("\"rows_read\": 7"), r.out());

        stdin(CSV);
        Path tune = dir.resolve("tune");
        EncoreCliTest.Result t =
                run("tune", "--data", "-", "--out", tune.toString(), "--rank", "2", "--reg", "0.1", "--max-iter", "1");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().startsWith("standard input: "), t.out());
        assertEquals(
                "standard input",
                ModelStore.load(tune.resolve("best.encore")).metadata().get("source"));
    }

    @Test
    void errorsOnStandardInputNameItAndTheLine() throws Exception {
        stdin(CSV + "u4,8,D,x,y,extra\n");
        Path out = dir.resolve("never");
        EncoreCliTest.Result r = run("prepare", "--data", "-", "--out", out.toString(), "--bad-rows", "fail");
        assertEquals(1, r.code());
        assertEquals(
                "encore: standard input:9: malformed row (too_many_fields: 6 fields, the header has 5); --bad-rows "
                        + "skip counts and skips such rows\n",
                r.err());
        assertFalse(Files.exists(out.resolve("prepare.json")));

        stdin("");
        EncoreCliTest.Result e = run("run", "--data", "-", "--out", out.toString());
        assertEquals(1, e.code());
        assertEquals(
                "encore: standard input: no data (0 bytes): expected a header line such as "
                        + "user_id,date,track,artist,album\n",
                e.err());
    }

    @Test
    void aNamedPipeIsReadLikeAFile() throws Exception {
        Path fifo = dir.resolve("plays.fifo");
        Process mk;
        try {
            mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo here: " + e.getMessage());
            return;
        }
        assumeTrue(mk.waitFor() == 0, "mkfifo failed: named pipes are not supported here");
        Thread writer = new Thread(() -> {
            try (OutputStream os = Files.newOutputStream(fifo)) { // blocks until encore opens the pipe
                os.write(CSV.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the assertion on the command's result reports it
            }
        });
        writer.setDaemon(true);
        writer.start();
        Path out = dir.resolve("prep");
        EncoreCliTest.Result p = run("prepare", "--data", fifo.toString(), "--out", out.toString(), "--json");
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("\"source\": \"" + fifo + "\""), p.out());
        assertTrue(p.out().contains("\"rows_read\": 7"), p.out());
        writer.join(10_000);
    }
}
