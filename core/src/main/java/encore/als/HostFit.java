package encore.als;

import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * A {@link AlsFit} whose factors live in host memory: each half-iteration writes the destination side in place, so
 * the fit copies nothing (the CPU engine's fit handle, and the frame of any engine that works on host arrays).
 * {@link #finish()} hands over the very arrays it computed in.
 */
public final class HostFit implements AlsFit {
    /** One half-iteration on host factors: every non-empty row of {@code ratings} written into {@code dst}. */
    @FunctionalInterface
    public interface HalfIteration {
        /**
         * @param ratings dst × src ratings
         * @param src     the fixed side
         * @param dst     the side being solved: rows with entries are overwritten (CG reads them as its warm start)
         */
        void solve(Csr ratings, Factors src, Factors dst);
    }

    private final Csr userItems;
    private final Csr itemUsers;
    private final AlsParams params;
    private final HalfIteration step;
    private Factors users;
    private Factors items;
    private boolean finished;

    /**
     * @param initial taken over: written in place by each half-iteration
     * @param step    the engine's half-iteration
     */
    public HostFit(Csr userItems, Csr itemUsers, State initial, AlsParams params, HalfIteration step) {
        check(userItems, itemUsers, initial, params);
        this.userItems = userItems;
        this.itemUsers = itemUsers;
        this.params = params;
        this.step = step;
        this.users = initial.users();
        this.items = initial.items();
    }

    /** Checks the shapes every fit handle relies on. */
    public static void check(Csr userItems, Csr itemUsers, State initial, AlsParams params) {
        int k = params.rank();
        if (itemUsers.rows() != userItems.cols()
                || itemUsers.cols() != userItems.rows()
                || itemUsers.nnz() != userItems.nnz()) {
            throw new IllegalArgumentException("itemUsers must be the transpose of userItems");
        }
        if (initial.users().rows() != userItems.rows()
                || initial.items().rows() != userItems.cols()
                || initial.users().rank() != k) {
            throw new IllegalArgumentException("initial factors ("
                    + initial.users().rows() + " users, "
                    + initial.items().rows() + " items, rank " + initial.users().rank() + ") do not match the "
                    + userItems.rows() + " × " + userItems.cols() + " ratings at rank " + k);
        }
    }

    @Override
    public void solveItems() {
        ensureRunning();
        step.solve(itemUsers, users, items);
    }

    @Override
    public void solveUsers() {
        ensureRunning();
        step.solve(userItems, items, users);
    }

    @Override
    public double loss() {
        return Objective.of(userItems, users, items, params);
    }

    @Override
    public int firstNonFinite(Side side) {
        return (side == Side.USERS ? users : items).firstNonFinite();
    }

    @Override
    public State snapshot() {
        return new State(users.copy(), items.copy());
    }

    @Override
    public State finish() {
        ensureRunning();
        finished = true;
        return new State(users, items);
    }

    private void ensureRunning() {
        if (finished) {
            throw new IllegalStateException("this fit has finished");
        }
    }

    @Override
    public void close() {
        finished = true;
    }
}
