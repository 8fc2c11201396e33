package encore.cpu;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code shared/datasets} beside the repository (or at {@code $ENCORE_SHARED}); null when absent. */
final class SharedData {
    private SharedData() {}

    static Path datasets() {
        String env = System.getenv("ENCORE_SHARED");
        if (env != null && Files.isDirectory(Path.of(env, "datasets"))) {
            return Path.of(env, "datasets");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("shared").resolve("datasets");
            if (Files.isDirectory(d)) {
                return d;
            }
        }
        return null;
    }
}
