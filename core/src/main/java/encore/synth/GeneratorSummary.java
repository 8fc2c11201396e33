package encore.synth;

/**
 * What a {@link ListeningsGenerator} wrote.
 *
 * @param rows       data rows written (header excluded)
 * @param validPlays rows with a non-empty user_id, track, artist and album (duplicates included)
 * @param bytes      bytes written, header included
 * @param seconds    wall-clock time of the write
 */
public record GeneratorSummary(long rows, long validPlays, long bytes, double seconds) {
    /** Rows per second (0 when no time was measured). */
    public double rowsPerSecond() {
        return seconds > 0 ? rows / seconds : 0.0;
    }
}
