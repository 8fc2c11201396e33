package encore.data;

import java.util.Map;

/**
 * The output of {@link Prepare#run}: counts of what was read and dropped, the indexed plays, their split, and the
 * training matrices in both orientations.
 *
 * @param source   the file read ("standard input" for {@code -})
 * @param ingest   rows read and dropped, by reason
 * @param plays    all aggregated, indexed plays (after {@code --limit})
 * @param split    train/test (train = all, test empty, when no split was asked for)
 * @param train    the CSR matrices of the training plays
 * @param timings  seconds per stage, in pipeline order
 */
public record Prepared(
        java.nio.file.Path source,
        IngestStats ingest,
        IndexedPlays plays,
        Split split,
        Interactions train,
        Map<String, Double> timings) {
    /** Copies {@code timings} into an unmodifiable map that keeps the stage order. */
    public Prepared {
        timings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(timings));
    }
}
