package encore.als;

/** Hears about a fit's progress; every method has a no-op default. */
public interface FitListener {
    /** A listener that ignores everything. */
    FitListener NONE = new FitListener() {};

    /** Iteration {@code iteration} of {@code maxIter} took {@code seconds}. */
    default void iteration(int iteration, int maxIter, double seconds) {}

    /**
     * Called after {@link #iteration} with the training objective when {@link #wantsLoss()} is true (computing it
     * costs about one pass over the ratings).
     */
    default void loss(int iteration, double loss) {}

    /** Whether to compute the objective after each iteration. */
    default boolean wantsLoss() {
        return false;
    }
}
