package encore.cpu;

import encore.als.Als;
import encore.als.AlsBackend;
import encore.als.AlsFit;
import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.Interactions;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stateless row solve ({@link AlsBackend#solveRows}), the fit handle and the reference row solver run the same
 * per-row code: on the same inputs they agree bit for bit, whatever the thread count and whichever rows are asked.
 */
class RowSolveTest {
    static final int K = 12;

    /** The solver settings, each with the row strategies its rows must cover in these tests. */
    enum Mode {
        EXPLICIT(false, AlsParams.Solver.CHOLESKY, false, EnumSet.of(RowStrategy.DUAL, RowStrategy.CHOLESKY)),
        IMPLICIT(true, AlsParams.Solver.CHOLESKY, false, EnumSet.of(RowStrategy.WOODBURY, RowStrategy.CHOLESKY)),
        CG(true, AlsParams.Solver.CG, false, EnumSet.of(RowStrategy.CG)),
        NNLS(false, AlsParams.Solver.CHOLESKY, true, EnumSet.of(RowStrategy.NNLS)),
        NNLS_IMPLICIT(true, AlsParams.Solver.CHOLESKY, true, EnumSet.of(RowStrategy.NNLS));

        final AlsParams params;
        final Set<RowStrategy> strategies;

        Mode(boolean implicit, AlsParams.Solver solver, boolean nonnegative, Set<RowStrategy> strategies) {
            this.params = AlsParams.builder()
                    .rank(K)
                    .regParam(0.05)
                    .alpha(2)
                    .implicitPrefs(implicit)
                    .solver(solver)
                    .cgSteps(3)
                    .nonnegative(nonnegative)
                    .maxIter(3)
                    .seed(5)
                    .build();
            this.strategies = strategies;
        }
    }

    /**
     * 90 users × 70 items: user u has about 1 + (7u mod 40) entries (short and long rows; zeros and negatives among
     * them); users 85–89 and items 65–69 have none.
     */
    static Interactions data() {
        Random rnd = new Random(17);
        SparkStyleData.IntFloatTriples t = new SparkStyleData.IntFloatTriples();
        for (int u = 0; u < 85; u++) {
            BitSet seen = new BitSet();
            for (int e = 0, n = 1 + (7 * u) % 40; e < n; e++) {
                int i = rnd.nextInt(65);
                if (!seen.get(i)) {
                    seen.set(i);
                    int kind = rnd.nextInt(6);
                    t.add(u, i, kind == 0 ? 0f : kind == 1 ? -(1 + rnd.nextInt(3)) : 1 + rnd.nextInt(5));
                }
            }
        }
        return Interactions.fromCoordinates(SparkStyleData.labels(90), SparkStyleData.labels(70), t.u(), t.i(), t.v());
    }

    /** Random factors for the non-empty rows of {@code ratings}, zeros elsewhere. */
    static Factors randomFactors(Csr ratings, long seed) {
        Random rnd = new Random(seed);
        float[] f = new float[ratings.rows() * K];
        BitSet has = new BitSet();
        for (int r = 0; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > 0) {
                has.set(r);
                for (int d = 0; d < K; d++) {
                    f[r * K + d] = (float) rnd.nextGaussian() * 0.3f;
                }
            }
        }
        return Factors.wrap(f, ratings.rows(), K, has);
    }

    /** The rows {@code rows} of {@code m}, in that order, as a block. */
    static Csr block(Csr m, int[] rows) {
        int[] ptr = new int[rows.length + 1];
        for (int s = 0; s < rows.length; s++) {
            ptr[s + 1] = ptr[s] + m.rowLength(rows[s]);
        }
        int[] col = new int[ptr[rows.length]];
        float[] val = new float[col.length];
        for (int s = 0; s < rows.length; s++) {
            System.arraycopy(m.colIdx(), m.rowStart(rows[s]), col, ptr[s], m.rowLength(rows[s]));
            System.arraycopy(m.values(), m.rowStart(rows[s]), val, ptr[s], m.rowLength(rows[s]));
        }
        return new Csr(rows.length, m.cols(), ptr, col, val);
    }

    /** The rows {@code rows} of {@code f}, present where {@code f}'s are. */
    static Factors gather(Factors f, int[] rows) {
        float[] out = new float[rows.length * K];
        BitSet has = new BitSet();
        for (int s = 0; s < rows.length; s++) {
            System.arraycopy(f.data(), f.offset(rows[s]), out, s * K, K);
            if (f.has(rows[s])) {
                has.set(s);
            }
        }
        return Factors.wrap(out, rows.length, K, has);
    }

    /** Users 82, 79, …, 1 (short and long rows), then 89 … 85 (no ratings): each once, out of order. */
    static int[] someUsers() {
        int[] rows = new int[28 + 5];
        for (int s = 0; s < 28; s++) {
            rows[s] = 82 - 3 * s;
        }
        for (int s = 0; s < 5; s++) {
            rows[28 + s] = 89 - s;
        }
        return rows;
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void solveRowsOnABlockEqualsTheRowsTheFitHandleComputes(Mode mode) {
        Interactions train = data();
        AlsParams p = mode.params;
        Csr ui = train.userItems();
        AlsFit.State initial = new AlsFit.State(randomFactors(ui, 1), randomFactors(train.itemUsers(), 2));
        AlsFit.State before;
        AlsFit.State after;
        try (AlsBackend cpu = CpuBackendProvider.open(3);
                AlsFit fit = cpu.startFit(ui, train.itemUsers(), initial, p)) {
            fit.solveItems();
            fit.solveUsers();
            fit.solveItems();
            before = fit.snapshot();
            fit.solveUsers();
            after = fit.snapshot();
        }
        int[] rows = someUsers();
        Csr block = block(ui, rows);
        Set<RowStrategy> seen = EnumSet.noneOf(RowStrategy.class);
        for (int s = 0; s < block.rows(); s++) {
            if (block.rowLength(s) > 0) {
                seen.add(RowStrategy.of(block, s, p));
            }
        }
        assertEquals(mode.strategies, seen, "strategies the block exercises");
        Factors expected = gather(after.users(), rows);
        try (AlsBackend one = CpuBackendProvider.open(1)) {
            Factors warm = gather(before.users(), rows);
            assertEquals(expected, one.solveRows(block, before.items(), warm, p));
            // prepared once for the fixed side (YᵀY and the Woodbury base computed up front): the same rows, bit for
            // bit
            AlsBackend.RowSolve prepared = one.prepareRowSolve(before.items(), null, p);
            assertEquals(expected, prepared.solve(block, warm));
            assertEquals(expected, prepared.solve(block, warm), "and again: a prepared solve keeps no state");
            if (mode != Mode.CG) { // exact solvers ignore the warm start
                assertEquals(expected, one.solveRows(block, before.items(), null, p));
                assertEquals(expected, prepared.solve(block, null));
            }
        }
        for (int s = 0; s < rows.length; s++) {
            assertEquals(ui.rowLength(rows[s]) > 0, expected.has(s), "row " + rows[s]);
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void foldingInATrainingUsersOwnRatingsReproducesItsFactor(Mode mode) {
        Interactions train = data();
        AlsParams p = mode.params;
        Csr ui = train.userItems();
        Factors items;
        Factors users;
        Factors warmUsers = null;
        if (mode == Mode.CG) { // CG needs the users' factors before the final half-iteration as its warm start
            AlsFit.State initial = new AlsFit.State(randomFactors(ui, 1), randomFactors(train.itemUsers(), 2));
            try (AlsBackend cpu = CpuBackendProvider.open(2);
                    AlsFit fit = cpu.startFit(ui, train.itemUsers(), initial, p)) {
                fit.solveItems();
                fit.solveUsers();
                fit.solveItems();
                warmUsers = fit.snapshot().users();
                fit.solveUsers();
                AlsFit.State last = fit.finish();
                items = last.items();
                users = last.users();
            }
        } else {
            AlsModel model = Als.with(p).backend("cpu").threads(2).fit(train).model();
            items = model.itemFactors();
            users = model.userFactors();
        }
        try (AlsBackend cpu = CpuBackendProvider.open(1)) {
            for (int u = 0; u < 85; u++) {
                int[] one = {u};
                Factors warm = warmUsers == null ? null : gather(warmUsers, one);
                Factors folded = cpu.solveRows(block(ui, one), items, warm, p);
                assertTrue(folded.has(0));
                assertArrayEquals(users.row(u), folded.row(0), mode + ", user " + u);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"IMPLICIT", "CG"})
    void ytyIsTakenOverThePresentSourceRowsOnly(Mode mode) {
        Interactions train = data();
        AlsParams p = mode.params;
        Csr ui = train.userItems();
        Factors clean = randomFactors(train.itemUsers(), 3); // items 65-69 absent, zero
        float[] dirty = clean.data().clone();
        for (int i = 65; i < 70; i++) {
            for (int d = 0; d < K; d++) {
                dirty[i * K + d] = d == 0 ? Float.NaN : 1e30f;
            }
        }
        Factors garbage = Factors.wrap(dirty, 70, K, clean.present());
        try (AlsBackend cpu = CpuBackendProvider.open(2)) {
            Factors want = cpu.solveRows(ui, clean, null, p);
            Factors got = cpu.solveRows(ui, garbage, null, p);
            assertEquals(-1, got.firstNonFinite());
            assertEquals(want, got);
            float[] half = new float[ui.rows() * K];
            CpuHalfIteration.solve(ui, clean.data(), half, p, 2); // YᵀY over every row: the absent ones are zero
            assertArrayEquals(half, got.data());
        }
    }

    /**
     * A caller holding only the src rows its ratings reference (a distributed executor) passes the whole side's YᵀY,
     * summed from parts: the rows come out as the whole-side solve's, bit for bit (each row reads the same values;
     * the columns are only renamed), and YᵀY summed from two parts equals the whole one to rounding.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aPartOfTheSourceSideWithItsWholeYtyGivenSolvesAsTheWholeSide(Mode mode) {
        Interactions train = data();
        AlsParams p = mode.params;
        Csr ui = train.userItems();
        Factors items = randomFactors(train.itemUsers(), 8);
        Factors warm = randomFactors(ui, 9);
        // short rows (a few items each, so the block rates only part of the item side) and a few long ones
        int[] rows = java.util.stream.IntStream.range(0, ui.rows())
                .filter(u -> ui.rowLength(u) > 0 && (ui.rowLength(u) <= 3 || u == 5))
                .limit(8)
                .toArray();
        Csr block = block(ui, rows);
        // the items the block rates, ascending, and the block's ratings over them
        java.util.TreeSet<Integer> rated = new java.util.TreeSet<>();
        for (int q = 0; q < block.nnz(); q++) {
            rated.add(block.colIdx()[q]);
        }
        int[] ids = rated.stream().mapToInt(Integer::intValue).toArray();
        int[] col = new int[block.nnz()];
        for (int q = 0; q < col.length; q++) {
            col[q] = Arrays.binarySearch(ids, block.colIdx()[q]);
        }
        Csr local = new Csr(block.rows(), ids.length, block.rowPtr(), col, block.values());
        Factors part = gather(items, ids);
        assertTrue(ids.length < items.presentCount(), ids.length + " of " + items.presentCount() + " items rated");
        try (AlsBackend cpu = CpuBackendProvider.open(2)) {
            double[] whole = p.implicitPrefs() ? cpu.gram(items) : null;
            Factors want = cpu.solveRows(block, items, gather(warm, rows), p);
            Factors got = cpu.solveRows(local, part, whole, gather(warm, rows), p);
            assertEquals(want, got, mode + ": the part with the whole side's YᵀY");
            if (p.implicitPrefs()) {
                BitSet low = new BitSet();
                BitSet high = new BitSet();
                for (int i = items.nextPresent(0); i >= 0; i = items.nextPresent(i + 1)) {
                    (i < 35 ? low : high).set(i);
                }
                double[] a = cpu.gram(items.restrictTo(low));
                double[] b = cpu.gram(items.restrictTo(high));
                for (int q = 0; q < whole.length; q++) {
                    assertEquals(whole[q], a[q] + b[q], 1e-12 * (1 + Math.abs(whole[q])), "YᵀY entry " + q);
                }
                assertEquals(0.0, whole[K], "the strict lower triangle is zero");
                Factors without = cpu.solveRows(local, part, null, gather(warm, rows), p);
                assertNotEquals(want, without, "YᵀY of the part alone is another system");
            }
            assertThrows(
                    IllegalArgumentException.class,
                    () -> cpu.solveRows(local, part, new double[K], null, p),
                    "a gram of the wrong shape");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Mode.class,
            names = {"CG"})
    void aNullWarmStartIsAZeroWarmStart(Mode mode) {
        Interactions train = data();
        Csr ui = train.userItems();
        Factors items = randomFactors(train.itemUsers(), 4);
        try (AlsBackend cpu = CpuBackendProvider.open(2)) {
            Factors zeros = Factors.zeros(ui.rows(), K, new BitSet());
            Factors fromNull = cpu.solveRows(ui, items, null, mode.params);
            assertEquals(cpu.solveRows(ui, items, zeros, mode.params), fromNull);
            assertFalse(fromNull.equals(cpu.solveRows(ui, items, randomFactors(ui, 5), mode.params)));
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theReferenceRowSolverReproducesTheHalfIterationGivenItsYty(Mode mode) {
        Interactions train = data();
        AlsParams p = mode.params;
        Csr ui = train.userItems();
        Factors items = randomFactors(train.itemUsers(), 6);
        float[] warm = randomFactors(ui, 7).data();
        float[] half = warm.clone();
        CpuHalfIteration.solve(ui, items.data(), half, p, 3);
        double[] gram = p.implicitPrefs() ? CpuAlsBackend.gram(items.data(), null, 70, K, 1, false) : null;
        int[] rows = someUsers();
        float[] ref = warm.clone();
        ReferenceRowSolver.solveRows(ui, rows, items.data(), ref, gram, p);
        for (int u = 0; u < ui.rows(); u++) {
            boolean asked = false;
            for (int r : rows) {
                asked |= r == u;
            }
            float[] want = Arrays.copyOfRange(asked ? half : warm, u * K, (u + 1) * K);
            assertArrayEquals(want, Arrays.copyOfRange(ref, u * K, (u + 1) * K), mode + ", user " + u);
        }
    }
}
