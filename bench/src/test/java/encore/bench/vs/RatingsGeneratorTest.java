package encore.bench.vs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatingsGeneratorTest {
    @Test
    void distinctItemsPerUserRatingsOneToFiveDeterministic(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.tsv");
        Path b = dir.resolve("b.tsv");
        RatingsGenerator.write(a, 20, 15, 10, 3, 1);
        RatingsGenerator.write(b, 20, 15, 10, 3, 1);
        List<String> lines = Files.readAllLines(a);
        assertEquals(200, lines.size());
        assertEquals(lines, Files.readAllLines(b));
        Set<String> pairs = new HashSet<>();
        for (String l : lines) {
            String[] f = l.split("\t");
            int r = Integer.parseInt(f[2]);
            assertTrue(r >= 1 && r <= 5, l);
            assertTrue(pairs.add(f[0] + " " + f[1]), "duplicate " + l);
        }
    }
}
