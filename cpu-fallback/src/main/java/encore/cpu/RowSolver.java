package encore.cpu;

/**
 * One {@link RowStrategy}: solves a row of a half-iteration into its slice of {@code dst}. An instance owns its
 * scratch arrays (it allocates nothing per row) and is used by one thread.
 */
interface RowSolver {
    /**
     * Writes row {@code row}'s factor (the row must have an entry) into {@code step.dst()}.
     *
     * @throws encore.als.SingularSystemException when the row's system is not positive definite
     */
    void solve(int row, HalfStep step);
}
