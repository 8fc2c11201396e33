package encore.data;

import encore.synth.GeneratorConfig;
import encore.synth.GeneratorSummary;
import encore.synth.ListeningsGenerator;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: for generated files, the pipeline's aggregated (user, item) play counts equal the generator's own ground
 * truth (every row it reports as a valid play, keyed by the labels it wrote), whatever the item key, thread count and
 * chunk size.
 */
class GeneratedGroundTruthTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "seed {0}, key {1}, {2} threads, {3} KiB chunks")
    @CsvSource({"1, TRACK, 1, 16384", "2, TRACK, 3, 64", "3, ARTIST_TRACK, 2, 128", "4, ALBUM, 2, 64"})
    void aggregatedCountsEqualTheGeneratorsGroundTruth(long seed, ItemKey key, int threads, int chunkKib)
            throws Exception {
        ListeningsGenerator gen = new ListeningsGenerator(GeneratorConfig.forRows(120_000, seed));
        Map<String, Map<String, Integer>> truth = new HashMap<>();
        long[] valid = new long[1];
        Path file = dir.resolve("gen.csv");
        GeneratorSummary summary;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            summary = gen.write(out, (user, track, validPlay) -> {
                if (!validPlay) {
                    return;
                }
                valid[0]++;
                String item = key.label(gen.trackTitle(track), gen.artistName(track), gen.albumName(track));
                truth.computeIfAbsent(gen.userLabel(user), u -> new HashMap<>()).merge(item, 1, Integer::sum);
            });
        }
        assertEquals(summary.validPlays(), valid[0]);
        IngestOptions opt = new IngestOptions(key, BadRowPolicy.FAIL, threads, chunkKib << 10);
        Prepared p = Prepare.run(file, new PrepareOptions(opt, -1, SplitSpec.none()));
        assertEquals(summary.rows(), p.ingest().rowsRead());
        assertEquals(summary.validPlays(), p.ingest().rowsKept());
        assertEquals(0, p.ingest().malformedTotal());
        IndexedPlays plays = p.plays();
        int expectedPairs = truth.values().stream().mapToInt(Map::size).sum();
        assertEquals(expectedPairs, plays.pairs());
        assertEquals(truth.size(), plays.users().size());
        for (var byUser : truth.entrySet()) {
            int u = plays.users().indexOf(byUser.getKey());
            assertTrue(u < plays.users().size(), "user " + byUser.getKey());
            for (var e : byUser.getValue().entrySet()) {
                int i = plays.items().indexOf(e.getKey());
                assertTrue(i < plays.items().size(), "item " + e.getKey());
                assertEquals(e.getValue().intValue(), plays.count(u, i), byUser.getKey() + " / " + e.getKey());
            }
        }
        // frequencies in items.csv order are non-increasing, ties by label
        for (int i = 1; i < plays.items().size(); i++) {
            int f0 = plays.items().frequency(i - 1);
            int f1 = plays.items().frequency(i);
            assertTrue(f0 > f1
                    || (f0 == f1
                            && plays.items()
                                            .label(i - 1)
                                            .compareTo(plays.items().label(i))
                                    < 0));
        }
    }
}
