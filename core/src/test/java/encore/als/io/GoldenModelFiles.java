package encore.als.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes the {@link GoldenModels} with the current {@link ModelStore} (not a test: it only runs when asked), e.g.
 * <pre>
 * mvn -o -q -B -pl core test -Dtest=GoldenModelFiles -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dencore.golden.dir=$PWD/core/src/test/resources/models -Dencore.golden.prefix=format-2
 * </pre>
 * writes {@code format-2-explicit.encore} and {@code format-2-implicit.encore}. Files of a released format are never
 * rewritten; see the README next to them.
 */
class GoldenModelFiles {
    @Test
    @EnabledIfSystemProperty(named = "encore.golden.dir", matches = ".+")
    void write() throws IOException {
        Path dir = Path.of(System.getProperty("encore.golden.dir"));
        String prefix = System.getProperty("encore.golden.prefix", "format-" + ModelStore.FORMAT_VERSION);
        ModelStore.save(
                dir.resolve(prefix + "-explicit.encore"),
                GoldenModels.explicit(),
                null,
                GoldenModels.explicitMetadata());
        ModelStore.save(
                dir.resolve(prefix + "-implicit.encore"),
                GoldenModels.implicit(),
                GoldenModels.seen(),
                false,
                GoldenModels.implicitMetadata());
        ModelStore.save(
                dir.resolve(prefix + "-implicit-counts.encore"),
                GoldenModels.implicit(),
                GoldenModels.seenCounts(),
                GoldenModels.implicitMetadata());
    }
}
