package encore.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where {@link SharedData} looks for a data set, and when a missing one fails rather than skips. */
class SharedDataTest {
    @TempDir
    Path tmp;

    @Test
    void looksAtEnvThenEveryDirectoryAboveThenTheMachinesSharedFolder() {
        List<Path> c = SharedData.candidates(Map.of("ENCORE_SHARED", "/data/encore-shared"));
        Path cwd = Path.of("").toAbsolutePath();
        assertEquals(Path.of("/data/encore-shared"), c.get(0));
        assertEquals(cwd.resolve("shared"), c.get(1));
        assertEquals(cwd.getParent().resolve("shared"), c.get(2), "../shared");
        // env, one per directory from here up to the root, and /work/shared unless the walk up already passed it
        int machineFolder = cwd.startsWith(Path.of("/work")) ? 0 : 1;
        assertEquals(cwd.getNameCount() + 2 + machineFolder, c.size(), "env, the walk up, /work/shared: " + c);
        assertEquals(Path.of("/shared"), c.get(cwd.getNameCount() + 1), "the file system root's shared/");
        assertEquals(
                1,
                c.stream().filter(Path.of("/work/shared")::equals).count(),
                "/work/shared once (the walk up may pass it): " + c);
        assertEquals(cwd.resolve("shared"), SharedData.candidates(Map.of()).get(0), "no ENCORE_SHARED");
    }

    @Test
    void findsTheFirstPlaceThatHoldsTheFile() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("a"));
        Path second = tmp.resolve("b");
        Path dir = Files.createDirectories(second.resolve("datasets/set/split"));
        Files.writeString(dir.resolve("train.tsv"), "1\t2\t3\n");
        Files.createDirectories(tmp.resolve("c/datasets/set/split")); // the directory without the file does not count
        List<Path> places = List.of(tmp.resolve("c"), empty, second);
        assertEquals(dir, SharedData.require("Set", "set/split", "train.tsv", places, Map.of("CI", "true")));
    }

    @Test
    void missingUnderCiFailsAndNamesThePlacesAndTheOptOut() {
        List<Path> places = List.of(tmp.resolve("x"), tmp.resolve("y"));
        AssertionFailedError e = assertThrows(
                AssertionFailedError.class,
                () -> SharedData.require("Set", "set/split", "train.tsv", places, Map.of("CI", "true")));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("Set not found: looked for datasets/set/split/train.tsv under $ENCORE_SHARED (unset), "
                        + tmp.resolve("x") + ", " + tmp.resolve("y") + ". Under CI (CI=true)"),
                m);
        assertTrue(m.contains("set ENCORE_NO_SHARED_DATA=1 to skip instead"), m);
    }

    @Test
    void missingSkipsOutsideCiOrWithTheOptOut() {
        List<Path> places = List.of(tmp.resolve("x"));
        for (Map<String, String> env : List.of(
                Map.<String, String>of(), Map.of("CI", "false"), Map.of("CI", "true", "ENCORE_NO_SHARED_DATA", "1"))) {
            TestAbortedException e = assertThrows(
                    TestAbortedException.class,
                    () -> SharedData.require("Set", "set/split", "train.tsv", places, env),
                    env.toString());
            assertTrue(e.getMessage().contains("under CI=true this fails unless ENCORE_NO_SHARED_DATA=1"), env + "");
        }
    }
}
