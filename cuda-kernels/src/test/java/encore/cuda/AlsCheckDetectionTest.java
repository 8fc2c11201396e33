package encore.cuda;

import encore.als.AlsBackend;
import encore.als.AlsException;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.EngineOptions;
import encore.cpu.CpuBackendProvider;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Detection power of the checked GPU backend's half-iteration check: seeded trials plant one fault kind in rows drawn
 * at random (not the longest row, which the CG sample always holds) of a correct solution, hand it to the checked
 * backend as the "GPU" result of a row solve (the check a fit runs after each half-iteration, on the same code path)
 * and count the trials it refuses (backend gpu: the refusal is an {@link AlsException}). The rates are those stated in
 * {@code docs/reliability.md}, "Checked GPU fallback: detection power".
 */
class AlsCheckDetectionTest {
    static final int TRIALS = 300;
    static final int RANK = 8;

    /** A fault planted in a correct half-iteration: in the factors {@code dst} and/or the Gram (implicit). */
    enum Fault {
        ONE_ROW_1_PERCENT("one row 1 % off"),
        ONE_ROW_NOISE("one row with noise of 1e-3 of its norm"),
        ONE_ROW_OTHER_ROWS_FACTORS("one row holding another row's factors"),
        ONE_ROW_ZERO("one row left zero"),
        ONE_ROW_NAN("one row with a NaN"),
        THREE_ROWS_1_PERCENT("three rows 1 % off"),
        GRAM_ENTRY("one Gram entry (and its mirror) off by 1e-5 of trace/k");

        final String label;

        Fault(String label) {
            this.label = label;
        }

        void plant(float[] dst, double[] gram, int[] rows, SplittableRandom rng) {
            int k = RANK;
            int r = rows[rng.nextInt(rows.length)];
            switch (this) {
                case ONE_ROW_1_PERCENT -> scale(dst, r, 1.01f);
                case ONE_ROW_NOISE -> {
                    double norm = 0;
                    double[] g = new double[k];
                    double gNorm = 0;
                    for (int d = 0; d < k; d++) {
                        norm += (double) dst[r * k + d] * dst[r * k + d];
                        g[d] = rng.nextGaussian();
                        gNorm += g[d] * g[d];
                    }
                    for (int d = 0; d < k; d++) {
                        dst[r * k + d] += (float) (1e-3 * Math.sqrt(norm) * g[d] / Math.sqrt(gNorm));
                    }
                }
                case ONE_ROW_OTHER_ROWS_FACTORS -> {
                    int other;
                    do {
                        other = rows[rng.nextInt(rows.length)];
                    } while (other == r);
                    System.arraycopy(dst, other * k, dst, r * k, k);
                }
                case ONE_ROW_ZERO -> java.util.Arrays.fill(dst, r * k, r * k + k, 0f);
                case ONE_ROW_NAN -> dst[r * k + rng.nextInt(k)] = Float.NaN;
                case THREE_ROWS_1_PERCENT -> {
                    scale(dst, r, 1.01f);
                    int second;
                    int third;
                    do {
                        second = rows[rng.nextInt(rows.length)];
                        third = rows[rng.nextInt(rows.length)];
                    } while (second == r || third == r || second == third);
                    scale(dst, second, 1.01f);
                    scale(dst, third, 1.01f);
                }
                case GRAM_ENTRY -> {
                    double trace = 0;
                    for (int d = 0; d < k; d++) {
                        trace += gram[d * k + d];
                    }
                    int a = rng.nextInt(k);
                    int c = rng.nextInt(k);
                    gram[a * k + c] += 1e-5 * trace / k;
                    if (a != c) {
                        gram[c * k + a] += 1e-5 * trace / k;
                    }
                }
            }
        }

        private static void scale(float[] dst, int r, float by) {
            for (int d = r * RANK; d < (r + 1) * RANK; d++) {
                dst[d] *= by;
            }
        }
    }

    /** The "GPU" engine of the trials: returns the correct solution with this trial's fault planted. */
    private static final class PlantedEngine implements GpuAlsBackend.Engine {
        private final float[] solved;
        private final double[] gram;
        private final Fault fault;
        private final int[] rows;
        private final SplittableRandom rng;

        PlantedEngine(float[] solved, double[] gram, Fault fault, int[] rows, long seed) {
            this.solved = solved;
            this.gram = gram;
            this.fault = fault;
            this.rows = rows;
            this.rng = new SplittableRandom(0x9E3779B97F4A7C15L * (seed + 1) + (fault == null ? -1 : fault.ordinal()));
        }

        @Override
        public String name() {
            return "gpu";
        }

        @Override
        public boolean warmStarts(AlsParams p) {
            return p.solver() == AlsParams.Solver.CG;
        }

        @Override
        public GpuAlsBackend.EngineFit startFit(Csr ui, Csr iu, AlsFit.State initial, AlsParams p) {
            throw new UnsupportedOperationException("row solves only");
        }

        @Override
        public double[] solveRows(Csr ratings, float[] src, double[] given, float[] dst, AlsParams p) {
            System.arraycopy(solved, 0, dst, 0, dst.length);
            double[] g = gram == null ? null : gram.clone();
            if (fault != null) {
                fault.plant(dst, g, rows, rng);
            }
            return g;
        }

        @Override
        public void close() {}
    }

    /** One half-iteration to corrupt: its ratings, fixed side, warm start (CG), the correct result and Gram. */
    private record HalfIteration(Csr ratings, Factors src, Factors warm, AlsParams p, float[] solved, double[] gram) {
        static HalfIteration of(Csr ratings, AlsParams p) {
            Factors src = FitDriver.unitRows(ratings.transpose(), RANK, 3);
            Factors warm = p.solver() == AlsParams.Solver.CG ? FitDriver.unitRows(ratings, RANK, 4) : null;
            float[] solved;
            try (AlsBackend cpu = CpuBackendProvider.open(1)) {
                solved = cpu.solveRows(ratings, src, warm, p).data();
            }
            double[] gram = null;
            if (p.implicitPrefs()) {
                gram = new double[RANK * RANK];
                float[] y = src.data();
                for (int i = 0; i < ratings.cols(); i++) {
                    for (int a = 0; a < RANK; a++) {
                        for (int c = 0; c < RANK; c++) {
                            gram[a * RANK + c] += (double) y[i * RANK + a] * y[i * RANK + c];
                        }
                    }
                }
            }
            return new HalfIteration(ratings, src, warm, p, solved, gram);
        }

        int[] nonEmptyRows() {
            return ratings.nonEmptyRows().stream().toArray();
        }

        /**
         * Whether the checked backend (seeded with {@code seed}) refuses this result with {@code fault} planted (null:
         * none); the fault's rows are drawn from a seed of their own, independent of the check's.
         */
        boolean detected(Fault fault, long seed) {
            PlantedEngine e = new PlantedEngine(solved, gram, fault, nonEmptyRows(), seed);
            try (GpuAlsBackend b = new GpuAlsBackend(e, null, new EngineOptions(1, false), seed)) {
                b.solveRows(ratings, src, warm, p);
                return false;
            } catch (AlsException refused) {
                return true;
            }
        }
    }

    static AlsParams exact(boolean implicit) {
        return AlsParams.builder()
                .rank(RANK)
                .regParam(0.05)
                .implicitPrefs(implicit)
                .alpha(1)
                .build();
    }

    @Test
    void everyRowOfAnExactSolveIsChecked() {
        // 4,000 rows with entries: a sample of 64 rows would find a single wrong row in about 1.6 % of the trials
        Csr ratings = SyntheticMatrix.random(4000, 1200, 40_000, 2, 5);
        Detection rates = new Detection("exact solve");
        for (boolean implicit : new boolean[] {false, true}) {
            HalfIteration h = HalfIteration.of(ratings, exact(implicit));
            assertPassesUnfaulted(h);
            for (Fault f : Fault.values()) {
                if (f != Fault.GRAM_ENTRY || implicit) {
                    String kind = (implicit ? "implicit, " : "explicit, ") + f.label;
                    rates.measure(kind, TRIALS, 1.0, seed -> h.detected(f, seed));
                }
            }
        }
        rates.assertClaimsHold();
    }

    @Test
    void conjugateGradientRowsAreCheckedOnASample() {
        // CG has no residual to test: CG_SAMPLE (256) distinct rows of the 1,000 with entries are re-solved on the CPU
        Csr ratings = SyntheticMatrix.random(1000, 800, 12_000, 2, 9);
        int n = ratings.nonEmptyRows().cardinality();
        AlsParams p = AlsParams.builder()
                .rank(RANK)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(1)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
        HalfIteration h = HalfIteration.of(ratings, p);
        assertPassesUnfaulted(h);
        double one = Math.min(1, (double) SpotCheck.CG_SAMPLE / n);
        Detection rates = new Detection("CG (" + n + " rows)");
        rates.measure(Fault.ONE_ROW_1_PERCENT.label, TRIALS, one, seed -> h.detected(Fault.ONE_ROW_1_PERCENT, seed));
        rates.measure(Fault.ONE_ROW_ZERO.label, TRIALS, one, seed -> h.detected(Fault.ONE_ROW_ZERO, seed));
        rates.measure(
                Fault.THREE_ROWS_1_PERCENT.label,
                TRIALS,
                1 - Math.pow(1 - one, 3),
                seed -> h.detected(Fault.THREE_ROWS_1_PERCENT, seed));
        // the non-finite scan and the Gram probe cover every row and every entry whatever the solver
        rates.measure(Fault.ONE_ROW_NAN.label, TRIALS, 1.0, seed -> h.detected(Fault.ONE_ROW_NAN, seed));
        rates.measure(Fault.GRAM_ENTRY.label, TRIALS, 1.0, seed -> h.detected(Fault.GRAM_ENTRY, seed));
        rates.assertClaimsHold();
    }

    @Test
    void aSmallCgHalfIterationIsReSolvedInFull() {
        Csr ratings = SyntheticMatrix.random(200, 150, 2000, 2, 13);
        assertTrue(ratings.nonEmptyRows().cardinality() <= SpotCheck.CG_SAMPLE);
        AlsParams p = AlsParams.builder()
                .rank(RANK)
                .regParam(0.05)
                .implicitPrefs(true)
                .alpha(1)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
        HalfIteration h = HalfIteration.of(ratings, p);
        Detection rates = new Detection("CG (small)");
        rates.measure(Fault.ONE_ROW_1_PERCENT.label, 100, 1.0, seed -> h.detected(Fault.ONE_ROW_1_PERCENT, seed));
        rates.assertClaimsHold();
    }

    /** The trials mean something only if the correct result passes: no refusal without a fault, for any seed. */
    private static void assertPassesUnfaulted(HalfIteration h) {
        for (long seed = 0; seed < 5; seed++) {
            assertFalse(h.detected(null, seed), "refused a correct result (seed " + seed + ")");
        }
    }
}
