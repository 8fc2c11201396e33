package encore.als;

/**
 * Receives one query's scored candidates from {@link BlockedScoringPass}, one block at a time, in the candidates'
 * descending-norm order (Lucene's {@code KnnCollector}, for blocked scoring). The collector decides what enters its
 * result (exclusions, bounded top-k); the pass decides when to stop: a query stops once no later candidate could reach
 * the {@link #minCompetitiveScore()} of any of its collectors.
 *
 * <p>Called once per candidate block and query, never per candidate: the per-candidate loop lives inside
 * {@link #collect}.
 */
interface CandidateCollector {
    /**
     * The score a candidate must reach to possibly enter this collector ({@code −∞} while it accepts anything). A
     * candidate scoring below it is never taken, so the pass may skip every candidate whose score bound is below it.
     */
    float minCompetitiveScore();

    /**
     * The candidates at norm-order positions {@code from … from + width − 1}, with their scores in
     * {@code scores[0 … width)}. Blocks arrive in order, contiguously from position 0, until the query stops.
     */
    void collect(float[] scores, int from, int width);
}
