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
