package encore.synth;

/**
 * Sees every data row a {@link ListeningsGenerator} writes, in file order, on the writing thread.
 *
 * <p>This is the generator's ground truth: tallying {@code (user, track)} over the rows with {@code validPlay} set
 * gives exactly the play counts that a cleaner keeping the rows with a non-empty user_id, track, artist and album
 * should find in the file.
 */
@FunctionalInterface
public interface PlayObserver {
    /**
     * Called once per data row.
     *
     * @param user      the user index the row was generated for (even if its user_id field was emptied)
     * @param track     the track index the row was generated from (even if its fields were emptied or cut)
     * @param validPlay true when the row, as written, has a non-empty user_id, track, artist and album; an exact
     *                  duplicate of a valid row is valid too, an empty date does not make a row invalid
     */
    void onRow(int user, int track, boolean validPlay);
}
