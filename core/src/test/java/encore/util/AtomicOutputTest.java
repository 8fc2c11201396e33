package encore.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicOutputTest {
    @TempDir
    Path dir;

    List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteLeavesThePreviousFileAndNoTemp() throws Exception {
        Path f = dir.resolve("recs.csv");
        AtomicOutput.write(f, "old\n".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> {
            try (AtomicOutput out = AtomicOutput.create(f)) {
                out.stream().write("new, half written".getBytes(StandardCharsets.UTF_8));
                throw new IOException("No space left on device");
            }
        });
        assertEquals("No space left on device", e.getMessage());
        assertEquals("old\n", Files.readString(f));
        assertEquals(List.of("recs.csv"), names());
    }

    @Test
    void tempsOfDeadWritersAreRemovedAndLiveOnesKept() throws Exception {
        Path f = dir.resolve("metrics.json");
        long dead = deadPid();
        Path stale = Files.writeString(dir.resolve(".metrics.json." + dead + ".123.tmp"), "partial");
        Path oldStyle = Files.writeString(dir.resolve(".metrics.json.4567891234567.tmp"), "partial");
        long live = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
        Path other = Files.writeString(dir.resolve(".metrics.json." + live + ".9.tmp"), "being written");
        Path unrelated = Files.writeString(dir.resolve(".items.csv." + dead + ".1.tmp"), "x");
        AtomicOutput.write(f, "{}".getBytes(StandardCharsets.UTF_8));
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(oldStyle));
        assertTrue(Files.exists(other), "a live process's temp file stays");
        assertTrue(Files.exists(unrelated), "only the target's own temps are looked at");
    }

    @Test
    void commitAllRenamesTheMarkerLast() throws Exception {
        Path a = dir.resolve("a.csv");
        Path m = dir.resolve("m.json");
        AtomicOutput.write(a, "a1".getBytes(StandardCharsets.UTF_8));
        AtomicOutput.write(m, "m1".getBytes(StandardCharsets.UTF_8));
        try (AtomicOutput oa = AtomicOutput.create(a);
                AtomicOutput om = AtomicOutput.create(m)) {
            oa.stream().write("a2".getBytes(StandardCharsets.UTF_8));
            om.stream().write("m2".getBytes(StandardCharsets.UTF_8));
            assertEquals("a1", Files.readString(a)); // nothing visible before the commit
            AtomicOutput.commitAll(List.of(oa), om);
        }
        assertEquals("a2", Files.readString(a));
        assertEquals("m2", Files.readString(m));
        assertEquals(List.of("a.csv", "m.json"), names());
    }

    /** Commits a.csv and b.csv ("2") with the marker m.json over version "1" of all three. */
    void commitSetOfVersion2() throws IOException {
        try (AtomicFileSet set = new AtomicFileSet()) {
            set.open(dir.resolve("a.csv")).write('2');
            set.open(dir.resolve("b.csv")).write('2');
            set.commitWithMarker(dir.resolve("m.json"), new byte[] {'2'});
        }
    }

    /** The contents of a.csv, b.csv and m.json, "-" for a missing file. */
    String versions() throws IOException {
        StringBuilder v = new StringBuilder();
        for (String f : List.of("a.csv", "b.csv", "m.json")) {
            Path p = dir.resolve(f);
            v.append(Files.exists(p) ? Files.readString(p) : "-");
        }
        return v.toString();
    }

    /**
     * The test-only hook (CommitPoints, used by cli's KillIT) names every step of a marked commit in order, pauses at
     * the step it is given (with the files in the state that step implies) and prints nothing when it is off.
     */
    @Test
    void theTestHookAnnouncesEachStepInOrderAndPausesWhereAsked() throws Exception {
        for (String f : List.of("a.csv", "b.csv", "m.json")) {
            AtomicOutput.write(dir.resolve(f), "1".getBytes(StandardCharsets.UTF_8));
        }
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
            commitSetOfVersion2();
            assertEquals("", captured.toString(StandardCharsets.UTF_8), "off: silent");
            System.setProperty(CommitPoints.PROPERTY, "announce");
            commitSetOfVersion2();
            assertEquals(
                    List.of(
                            "open a.csv",
                            "open b.csv",
                            "open m.json",
                            "data-staged m.json",
                            "staged m.json",
                            "unmark m.json",
                            "rename a.csv",
                            "rename b.csv",
                            "rename m.json",
                            "committed m.json"),
                    captured.toString(StandardCharsets.UTF_8)
                            .lines()
                            .map(l -> l.replace("encore-commit: ", ""))
                            .toList());
            AtomicOutput.write(dir.resolve("m.json"), "1".getBytes(StandardCharsets.UTF_8));
            AtomicOutput.write(dir.resolve("a.csv"), "1".getBytes(StandardCharsets.UTF_8));
            AtomicOutput.write(dir.resolve("b.csv"), "1".getBytes(StandardCharsets.UTF_8));
            captured.reset();
            System.setProperty(CommitPoints.PROPERTY, "rename b.csv");
            java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    commitSetOfVersion2();
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            writer.start();
            while (!captured.toString(StandardCharsets.UTF_8).contains("encore-commit: paused at rename b.csv\n")) {
                assertTrue(writer.isAlive(), "finished without pausing");
                Thread.sleep(1);
            }
            assertEquals("21-", versions(), "paused before b.csv's rename: a.csv renamed, the old marker removed");
            writer.interrupt(); // ends the pause
            writer.join(10_000);
            assertEquals(null, failed.get());
            assertEquals("222", versions());
        } finally {
            System.clearProperty(CommitPoints.PROPERTY);
            System.setErr(err);
        }
    }

    @Test
    void anUnwritableTargetIsOneClearLine() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicOutput.write(file.resolve("out.csv"), new byte[1]));
        assertTrue(e.getMessage() == null || !e.getMessage().contains("\n"));
    }

    @Test
    void outputDirectoriesAreCheckedBeforeAnyWorkWithoutCreatingAnything() throws Exception {
        AtomicOutput.checkWritableDirectory(dir.resolve("a").resolve("b"));
        assertFalse(Files.exists(dir.resolve("a")));
        Path file = Files.writeString(dir.resolve("plain"), "x");
        IOException e = assertThrows(
                java.nio.file.FileAlreadyExistsException.class,
                () -> AtomicOutput.checkWritableDirectory(file.resolve("out")));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    }

    static long deadPid() {
        long pid = 4_000_000;
        while (ProcessHandle.of(pid).isPresent()) {
            pid++;
        }
        return pid;
    }
}
