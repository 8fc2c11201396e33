package encore.data;

/**
 * Train and test plays over the same label indices (the index is fitted before splitting, as in the Spark ALS recipe, so
 * test may hold users or items that have no training pair: the cold-start case).
 */
public record Split(IndexedPlays train, IndexedPlays test) {}
