package encore.cpu;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Finds the licensed data sets of {@code shared/datasets} (never copied into the repository: their licences forbid
 * it). A shared folder is looked for, in this order, at {@code $ENCORE_SHARED}, as {@code shared/} in the checkout's
 * directory or any directory above it ({@code ../shared} next to the checkout), and at {@code /work/shared} (where a
 * clean clone on one of the project's machines finds it). {@code .ci/run} exports {@code ENCORE_SHARED} when it finds
 * the folder.
 *
 * <p>A test that needs a data set calls {@link #require}: where none of the places has it, the test is skipped with a
 * message on a developer's machine, but fails under CI ({@code CI=true}, set by {@code .ci/run}), because a skipped
 * parity test is a parity claim nobody checked. {@value #OPT_OUT}{@code =1} (read here, at the point of use) turns
 * that failure back into a skip, for a CI host that cannot hold the data sets (for example a public runner, where
 * their licences do not allow them); the message names it.
 */
final class SharedData {
    /** Environment variable: set to 1 to skip data-set tests under CI instead of failing them. */
    static final String OPT_OUT = "ENCORE_NO_SHARED_DATA";
    /** The shared folder of the project's machines, the last place looked. */
    static final Path MACHINE_SHARED = Path.of("/work/shared");

    private SharedData() {}

    /**
     * The shared folders to look in, in order (existing or not), for the environment {@code env}; {@link
     * #MACHINE_SHARED} last, unless the walk up from the working directory already passed it.
     */
    static List<Path> candidates(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        String shared = env.get("ENCORE_SHARED");
        if (shared != null && !shared.isEmpty()) {
            out.add(Path.of(shared));
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            out.add(p.resolve("shared"));
        }
        if (!out.contains(MACHINE_SHARED)) {
            out.add(MACHINE_SHARED);
        }
        return out;
    }

    /**
     * The directory {@code datasets/relative} that holds {@code file}, looked for in this process's places; when
     * absent, skips the test, or fails it under CI unless {@value #OPT_OUT}=1.
     *
     * @param what the data set, for the message
     */
    static Path require(String what, String relative, String file) {
        return require(what, relative, file, candidates(System.getenv()), System.getenv());
    }

    /** {@link #require(String, String, String)} over the given places and environment. */
    static Path require(String what, String relative, String file, List<Path> candidates, Map<String, String> env) {
        for (Path shared : candidates) {
            Path dir = shared.resolve("datasets").resolve(relative);
            if (Files.isRegularFile(dir.resolve(file))) {
                return dir;
            }
        }
        StringBuilder message = new StringBuilder(what)
                .append(" not found: looked for datasets/")
                .append(relative)
                .append('/')
                .append(file)
                .append(" under ");
        String shared = env.get("ENCORE_SHARED");
        if (shared == null || shared.isEmpty()) {
            message.append("$ENCORE_SHARED (unset), ");
        }
        for (int q = 0; q < candidates.size(); q++) {
            message.append(q == 0 ? "" : ", ").append(candidates.get(q));
        }
        if ("true".equals(env.get("CI")) && !"1".equals(env.get(OPT_OUT))) {
            fail(message + ". Under CI (CI=true) a missing data set is a failure: put the shared folder in one of "
                    + "those places or point ENCORE_SHARED at it; on a CI host that cannot hold it, set " + OPT_OUT
                    + "=1 to skip instead");
        }
        assumeTrue(false, message + " (skipped; under CI=true this fails unless " + OPT_OUT + "=1)");
        return null;
    }
}
