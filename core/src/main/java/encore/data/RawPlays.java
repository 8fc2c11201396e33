package encore.data;

/**
 * Every kept row as (user id, item id) in first-seen id spaces, before aggregation.
 *
 * @param userLabels labels by user id
 * @param itemLabels labels by item id
 * @param rowUser    user id of each kept row
 * @param rowItem    item id of each kept row
 * @param stats      what the reader saw
 */
public record RawPlays(String[] userLabels, String[] itemLabels, int[] rowUser, int[] rowItem, IngestStats stats) {
    /** Number of kept rows. */
    public int rows() {
        return rowUser.length;
    }
}
