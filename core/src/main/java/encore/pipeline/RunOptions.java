package encore.pipeline;

import encore.als.Als;
import encore.data.PrepareOptions;

import java.nio.file.Path;

/**
 * What {@code encore run} does.
 *
 * @param data         a listenings CSV (with {@code prepare}), or null when {@code train}/{@code test} triples are given
 * @param prepare      front-end options for {@code data}
 * @param train        triples file of training ratings (with {@code test}), or null
 * @param test         triples file of test ratings, or null
 * @param als          the estimator: ALS parameters, backend ({@code auto}, {@code cpu} or {@code gpu}) and threads
 * @param top          K of the recommendation lists and of the ranking metrics
 * @param excludeSeen  leave each user's training items out of the written recommendations
 */
public record RunOptions(
        Path data, PrepareOptions prepare, Path train, Path test, Als als, int top, boolean excludeSeen) {
    /** Validates that either a listenings file or both triples files are given, and that {@code top} is at least 1. */
    public RunOptions {
        if ((data == null) == (train == null || test == null)) {
            throw new IllegalArgumentException("give either a listenings file or both train and test triples");
        }
        if (als == null) {
            throw new IllegalArgumentException("als must be set");
        }
        if (top < 1) {
            throw new IllegalArgumentException("top must be >= 1, got " + top);
        }
    }
}
