package encore.als;

import encore.matrix.Factors;

import java.util.concurrent.CompletableFuture;

/**
 * One fit in progress on an engine: it owns the user and item factors for the whole fit, where the engine computes
 * them, so nothing crosses between host and device between half-iterations unless someone asks for a
 * {@link #snapshot()}. Driven by the estimator in Spark's order — {@link #solveItems()}, then {@link #solveUsers()},
 * {@code maxIter} times — and closed by it. Not thread-safe: one caller at a time.
 */
public interface AlsFit extends AutoCloseable {
    /** Both factor matrices. */
    record State(Factors users, Factors items) {
        /** Checks that both sides have the same rank. */
        public State {
            if (users.rank() != items.rank()) {
                throw new IllegalArgumentException(
                        "user factors have rank " + users.rank() + ", item factors " + items.rank());
            }
        }
    }

    /** The side of the factorisation a half-iteration or a check is about. */
    enum Side {
        USERS("user"),
        ITEMS("item");

        private final String noun;

        Side(String noun) {
            this.noun = noun;
        }

        /** "user" or "item", for messages. */
        public String noun() {
            return noun;
        }
    }

    /**
     * Half-iteration: items ← solve(item × user ratings, user factors).
     *
     * @throws SingularSystemException when an item's system is not positive definite
     */
    void solveItems();

    /**
     * Half-iteration: users ← solve(user × item ratings, item factors).
     *
     * @throws SingularSystemException when a user's system is not positive definite
     */
    void solveUsers();

    /** The objective of the current factors (about one pass over the ratings; see {@link Objective}). */
    double loss();

    /** The first present row of {@code side} whose factor is NaN or infinite, or -1. */
    int firstNonFinite(Side side);

    /** Host copies of the current factors; the caller owns them and the fit goes on unaffected. */
    State snapshot();

    /** {@link #snapshot()} without waiting (an engine may overlap the copy with its next half-iteration). */
    default CompletableFuture<State> snapshotAsync() {
        return CompletableFuture.completedFuture(snapshot());
    }

    /**
     * Ends the fit and hands over the final factors (without a copy where the engine computes in host memory). No
     * half-iteration may follow; {@link #close()} must still be called.
     */
    State finish();

    /** Releases what the fit holds (device memory, workspaces); idempotent. */
    @Override
    void close();
}
