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
    private NnlsRow nnls;
    private RowSolver cg;
    /** The rows {@link #solveRange} hands {@link VectorCgRow} together. */
    private final int[] groupRows = new int[VectorCgRow.GROUP];

    /**
     * With the vector kernels, WOODBURY rows with more than k/16 confident entries are solved by
     * {@link VectorCholeskyRow}: the same system (rounding aside), and cheaper than the scalar Woodbury form there
     * (Last.fm-360K shape at scale 0.25, implicit, 2 cores: 3.37 → 1.83 s per iteration at rank 64, 17.8 → 8.1 s at
     * rank 128 with every WOODBURY row on the vector Cholesky); the rows with fewer keep {@link WoodburyRow}.
     *
     * @param simd whether CHOLESKY, DUAL and CG rows take the vector solvers ({@link VectorCholeskyRow},
     *             {@link VectorDualRow}, {@link VectorCgRow}); only when {@link SimdKernels#available()}
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
        switch (RowStrategy.choose(step.ratings().rowLength(row), confident, step.params())) {
            case CHOLESKY -> cholesky().solve(row, step);
            case DUAL -> dual().solve(row, step);
            case WOODBURY -> (takesWoodbury(confident) ? woodbury() : cholesky()).solve(row, step);
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
        for (int r = from; r < to; r++) {
            if (m.rowLength(r) > 0) {
                solve(r, step);
            }
        }
    }

    /**
     * Whether a WOODBURY row is solved by {@link WoodburyRow} (the scalar kernels: every such row; the vector kernels:
     * rows with at most {@link #vectorWoodburyMax} confident entries, where m·k²/2 scalar work still beats copying
     * YᵀY and factorising k × k in vectors — the long tail of a catalogue, items rated once or twice — and the vector
     * Cholesky the others). {@code confident} is the row's count as {@link RowStrategy#confident} takes it (WOODBURY
     * rows have fewer than the limit it stops at).
     */
    private boolean takesWoodbury(int confident) {
        return !simd || confident <= vectorWoodburyMax(k);
    }

    /** With the vector kernels, the most confident entries of a row that {@link WoodburyRow} solves: k / 16. */
    static int vectorWoodburyMax(int k) {
        return k / 16;
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

    private WoodburyRow woodbury() {
        if (woodbury == null) {
            woodbury = new WoodburyRow(k, cholesky(), simd);
        }
        return woodbury;
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
