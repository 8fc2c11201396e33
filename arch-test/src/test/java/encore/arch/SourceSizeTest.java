package encore.arch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** No main source file is over {@value #MAX_LINES} lines (docs/architecture.md, "Rules the build enforces"). */
class SourceSizeTest {
    static final int MAX_LINES = 500;
    private static final List<String> SOURCE_ROOTS = List.of("src/main/java", "src/spark/java");

    /** Files under the modules' main source roots with more than {@code max} lines, as "path: n lines". */
    static List<String> oversized(Path repo, int max) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> modules = Files.list(repo)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                for (String root : SOURCE_ROOTS) {
                    Path dir = module.resolve(root);
                    if (Files.isDirectory(dir)) {
                        collect(repo, dir, max, out);
                    }
                }
            }
        }
        return out;
    }

    private static void collect(Path repo, Path dir, int max, List<String> out) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> {
                long n = lines(f);
                if (n > max) {
                    out.add(repo.relativize(f) + ": " + n + " lines");
                }
            });
        }
    }

    private static long lines(Path f) {
        try (Stream<String> l = Files.lines(f)) {
            return l.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path repo() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("arch-test")) && Files.exists(p.resolve("core/src/main/java"))) {
                return p;
            }
        }
        throw new IllegalStateException(
                "repository root not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void noMainSourceFileIsOverTheLimit() throws IOException {
        Path repo = repo();
        assertTrue(oversized(repo, Integer.MAX_VALUE).isEmpty());
        assertTrue(oversized(repo, 50).size() > 100, "the scan must see the sources of every module");
        assertEquals(List.of(), oversized(repo, MAX_LINES));
    }

    @Test
    void aPlantedLongFileIsReported(@TempDir Path tmp) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("m/src/main/java/x"));
        Files.writeString(src.resolve("Long.java"), "//\n".repeat(MAX_LINES + 1));
        Files.writeString(src.resolve("Short.java"), "//\n".repeat(MAX_LINES));
        assertEquals(List.of("m/src/main/java/x/Long.java: 501 lines"), oversized(tmp, MAX_LINES));
    }
}
