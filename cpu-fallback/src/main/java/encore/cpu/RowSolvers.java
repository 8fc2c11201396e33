package encore.cpu;

/**
 * One thread's row solvers, one per {@link RowStrategy}, each created on its first row (a fit uses two or three of
 * them); {@link #solve} picks a row's strategy ({@link RowStrategy#of}) and runs it. Not thread-safe: one instance per
 * worker thread, reused for all its rows, so the per-row work allocates nothing.
 */
final class RowSolvers {
    private final int k;
    private final boolean simd;
    private RowSolver cholesky;
    private RowSolver dual;
    private WoodburyRow woodbury;
    private VectorWoodburyRow vectorWoodbury;
    private NnlsRow nnls;
    private RowSolver cg;
    /** The rows {@link #solveRange} hands {@link VectorCgRow} together. */
    private final int[] groupRows = new int[VectorCgRow.GROUP];

    /**
     * With the vector kernels, WOODBURY rows with up to {@link #vectorWoodburyMax} confident entries are solved by
     * {@link VectorWoodburyRow} (four at a time in {@link #solveRange}), those with more by {@link VectorCholeskyRow}:
     * the same system, rounding aside.
     *
     * @param simd whether the rows take the vector solvers ({@link VectorCholeskyRow}, {@link VectorDualRow},
     *             {@link VectorWoodburyRow}, {@link VectorCgRow}); only when {@link SimdKernels#available()}
     */
    RowSolvers(int k, boolean simd) {
        this.k = k;
        this.simd = simd;
    }

    /**
     * Solves row {@code row} of {@code step.ratings()} (which must have an entry) into {@code step.dst()}.
     *
     * @throws encore.als.SingularSystemException when the row's system is not positive definite
     */
    void solve(int row, HalfStep step) {
        int confident = RowStrategy.confident(step.ratings(), row, step.params());
        solve(row, step, RowStrategy.choose(step.ratings().rowLength(row), confident, step.params()), confident);
    }

    /** {@link #solve(int, HalfStep)} with the row's strategy and confident entries already counted. */
    private void solve(int row, HalfStep step, RowStrategy strategy, int confident) {
        switch (strategy) {
            case CHOLESKY -> cholesky().solve(row, step);
            case DUAL -> dual().solve(row, step);
            case WOODBURY -> woodburyOrCholesky(confident).solve(row, step);
            case NNLS -> nnls().solve(row, step);
            case CG -> cg().solve(row, step);
        }
    }

    /**
     * Solves the rows with entries among [from, to). With the vector kernels, CG rows go four at a time
     * ({@link VectorCgRow#solve(int[], int, HalfStep)}: one pass over YᵀY for the four rows' G·v), each row's factor bit for
     * bit what it gets alone.
     *
     * @throws encore.als.SingularSystemException when a row's system is not positive definite
     */
    void solveRange(int from, int to, HalfStep step) {
        encore.matrix.Csr m = step.ratings();
        if (simd && RowStrategy.choose(1, 1, step.params()) == RowStrategy.CG) {
            VectorCgRow group = (VectorCgRow) cg();
            int[] rows = groupRows;
            int count = 0;
            for (int r = from; r < to; r++) {
                if (m.rowLength(r) == 0) {
                    continue;
                }
                rows[count++] = r;
                if (count == VectorCgRow.GROUP) {
                    group.solve(rows, count, step);
                    count = 0;
                }
            }
            if (count > 0) {
                group.solve(rows, count, step);
            }
            return;
        }
        if (simd && RowStrategy.WOODBURY.possibleWith(step.params())) {
            // WOODBURY rows queue up for VectorWoodburyRow's batches; every other row is solved at once
            VectorWoodburyRow batch = vectorWoodbury();
            for (int r = from; r < to; r++) {
                if (m.rowLength(r) == 0) {
                    continue;
                }
                int confident = RowStrategy.confident(m, r, step.params());
                RowStrategy strategy = RowStrategy.choose(m.rowLength(r), confident, step.params());
                if (strategy == RowStrategy.WOODBURY && takesWoodbury(confident)) {
                    batch.add(r, step);
                } else {
                    solve(r, step, strategy, confident);
                }
            }
            batch.flush(step);
            return;
        }
        for (int r = from; r < to; r++) {
            if (m.rowLength(r) > 0) {
                solve(r, step);
            }
        }
    }

    /**
     * Whether a WOODBURY row with {@code confident} confident entries (its count as {@link RowStrategy#confident} takes
     * it) is solved by the Woodbury form — {@link WoodburyRow} with the scalar kernels (every such row),
     * {@link VectorWoodburyRow} with the vector kernels (up to {@link #vectorWoodburyMax}) — rather than the k × k
     * system.
     */
    private boolean takesWoodbury(int confident) {
        return !simd || confident <= vectorWoodburyMax(k);
    }

    /**
     * With the vector kernels, the most confident entries of a row that {@link VectorWoodburyRow} solves: k/4, but
     * at least 15 and at most 64, within the WOODBURY limit (k/2 − 1). Measured on the item side of the 13.7 M-row
     * listenings (a million rows, most with one to a few plays; one thread, Zen 4), µs per row, Woodbury against
     * the vector Cholesky: k = 64, 9–16 entries 5.5 against 11.7, 17–31 about even; k = 128, 17–32 entries 28 against
     * 33–50, 33–64 entries 96 against 81; k = 32, up to 15 entries ahead throughout (the k × k system's fixed costs
     * weigh most at small k).
     */
    static int vectorWoodburyMax(int k) {
        return Math.min(RowStrategy.woodburyLimit(k) - 1, Math.min(64, Math.max(k / 4, 15)));
    }

    /** Whether some WOODBURY rows are solved by {@link WoodburyRow} (and need its shared factors). */
    static boolean solvesWoodbury(boolean simd, int k) {
        return !simd || vectorWoodburyMax(k) > 0;
    }

    private RowSolver cholesky() {
        if (cholesky == null) {
            cholesky = simd ? new VectorCholeskyRow(k) : new CholeskyRow(k);
        }
        return cholesky;
    }

    private RowSolver dual() {
        if (dual == null) {
            dual = simd ? new VectorDualRow(k) : new DualRow(k);
        }
        return dual;
    }

    /** The solver of a WOODBURY row with {@code confident} confident entries ({@link #takesWoodbury}). */
    private RowSolver woodburyOrCholesky(int confident) {
        if (!takesWoodbury(confident)) {
            return cholesky();
        }
        if (simd) {
            return vectorWoodbury();
        }
        if (woodbury == null) {
            woodbury = new WoodburyRow(k, cholesky());
        }
        return woodbury;
    }

    private VectorWoodburyRow vectorWoodbury() {
        if (vectorWoodbury == null) {
            vectorWoodbury = new VectorWoodburyRow(k, cholesky());
        }
        return vectorWoodbury;
    }

    private NnlsRow nnls() {
        if (nnls == null) {
            nnls = new NnlsRow(k);
        }
        return nnls;
    }

    private RowSolver cg() {
        if (cg == null) {
            cg = simd ? new VectorCgRow(k) : new CgRow(k);
        }
        return cg;
    }
}
