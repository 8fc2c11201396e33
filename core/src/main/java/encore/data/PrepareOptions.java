package encore.data;

/**
 * Options of the prepare pipeline (ingest → clean → aggregate → [limit] → index → CSR → split).
 *
 * @param ingest how to read the file
 * @param limit  keep the first {@code limit} aggregated pairs ordered by user label (the seed's
 *               {@code orderBy(user_id).limit(N)}), or -1 for all
 * @param split  how to split into train and test
 */
public record PrepareOptions(IngestOptions ingest, long limit, SplitSpec split) {
    /** Validates that ingest and split options are set and that the limit is -1 or more. */
    public PrepareOptions {
        if (ingest == null || split == null) {
            throw new IllegalArgumentException("ingest and split options must be set");
        }
        if (limit < -1) {
            throw new IllegalArgumentException("limit must be >= 0 (or -1 for none), got " + limit);
        }
    }

    /** Default ingest options, no limit and no split. */
    public static PrepareOptions defaults() {
        return new PrepareOptions(IngestOptions.defaults(), -1, SplitSpec.none());
    }
}
