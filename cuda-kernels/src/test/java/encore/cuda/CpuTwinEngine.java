package encore.cuda;

import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.Objective;
import encore.als.SingularSystemException;
import encore.cpu.CpuHalfIteration;
import encore.cpu.DenseSolvers;
import encore.matrix.Csr;
import encore.matrix.Factors;

import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * A stand-in for the GPU engine in tests on machines without a GPU: solves with the CPU engine's half-iteration and
 * reports the Gram in double (so its correct results are the CPU engine's, bit for bit: it tests the checked wrapper,
 * not the GPU), and can be told to fail (throw, perturb a row, perturb the Gram, refuse to start) on a
 * chosen call (half-iterations and row solves counted together from 0) — the fault-injection hook of the checked
 * backend's tests. It counts what the checked fit asks of its fit handle.
 */
final class CpuTwinEngine implements GpuAlsBackend.Engine {
    enum Fault {
        NONE,
        THROW_STICKY,
        PERTURB_LONGEST_ROW,
        /** A row drawn at random (seeded by the call), never the longest: not one a sample is sure to hold. */
        PERTURB_RANDOM_ROW,
        PERTURB_GRAM,
        NAN_ROW,
        REPORT_SINGULAR,
        FAIL_START
    }

    private static final int THREADS = 2;

    private final Fault fault;
    private final IntPredicate onCall;
    private AutoCloseable lease;
    private int calls;
    boolean closed;
    int sideSnapshots;
    int fullSnapshots;
    int finishes;
    int fitsClosed;

    CpuTwinEngine(Fault fault, IntPredicate onCall) {
        this.fault = fault;
        this.onCall = onCall;
    }

    /** This engine, closing {@code l} when it is closed (as the GPU engine gives its device lease back). */
    CpuTwinEngine releasing(AutoCloseable l) {
        this.lease = l;
        return this;
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public boolean warmStarts(AlsParams p) {
        return p.implicitPrefs() && p.solver() == AlsParams.Solver.CG;
    }

    @Override
    public GpuAlsBackend.EngineFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams p) {
        if (fault == Fault.FAIL_START) {
            throw new GpuException(2, "not enough GPU memory for factors: 1.0 MiB needed, 0.5 MiB free");
        }
        return new TwinFit(userItems, itemUsers, initial, p);
    }

    @Override
    public double[] solveRows(Csr ratings, float[] src, double[] gram, float[] dst, AlsParams p) {
        if (gram != null) {
            // a given YᵀY: solved with it, as the engine does; no fault planted (the trials give none)
            CpuHalfIteration.solve(ratings, src, gram, dst, p, THREADS);
            if (!p.implicitPrefs()) {
                return null;
            }
            double[] full = new double[p.rank() * p.rank()];
            DenseSolvers.symmetricCopy(gram, p.rank(), full, p.rank());
            return full;
        }
        return half(ratings, src, dst, p);
    }

    /** One half-iteration with the fault injection; returns the Gram (implicit). */
    private double[] half(Csr ratings, float[] src, float[] dst, AlsParams p) {
        int call = calls++;
        boolean hit = fault != Fault.NONE && onCall.test(call);
        if (hit && fault == Fault.THROW_STICKY) {
            throw new GpuException(700, "solve_rows failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)");
        }
        if (hit && fault == Fault.REPORT_SINGULAR) {
            throw new SingularSystemException(0, ratings.rowLength(0));
        }
        CpuHalfIteration.solve(ratings, src, dst, p, THREADS);
        int k = p.rank();
        double[] gram = null;
        if (p.implicitPrefs()) {
            gram = new double[k * k];
            for (int r = 0; r < ratings.cols(); r++) {
                for (int a = 0; a < k; a++) {
                    for (int c = 0; c < k; c++) {
                        gram[a * k + c] += (double) src[r * k + a] * src[r * k + c];
                    }
                }
            }
        }
        if (hit) {
            perturb(ratings, dst, gram, k, call);
        }
        return gram;
    }

    private void perturb(Csr ratings, float[] dst, double[] gram, int k, int call) {
        int longest = 0;
        for (int r = 1; r < ratings.rows(); r++) {
            if (ratings.rowLength(r) > ratings.rowLength(longest)) {
                longest = r;
            }
        }
        switch (fault) {
            case PERTURB_LONGEST_ROW -> {
                for (int d = longest * k; d < (longest + 1) * k; d++) {
                    dst[d] *= 1.01f; // a 1 % error in one row
                }
            }
            case PERTURB_RANDOM_ROW -> {
                SplittableRandom rng = new SplittableRandom(call);
                int r;
                do {
                    r = rng.nextInt(ratings.rows());
                } while (r == longest || ratings.rowLength(r) == 0);
                for (int d = r * k; d < (r + 1) * k; d++) {
                    dst[d] *= 1.01f;
                }
            }
            case PERTURB_GRAM -> gram[0] *= 1.001;
            case NAN_ROW -> dst[longest * k + k - 1] = Float.NaN;
            default -> {}
        }
    }

    /** The twin's fit handle: its own host copies of the factors (the initial state is read, not kept). */
    private final class TwinFit implements GpuAlsBackend.EngineFit {
        private final Csr userItems;
        private final Csr itemUsers;
        private final AlsParams params;
        private final Factors users;
        private final Factors items;
        private double[] gram;

        TwinFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams params) {
            this.userItems = userItems;
            this.itemUsers = itemUsers;
            this.params = params;
            this.users = initial.users().copy();
            this.items = initial.items().copy();
        }

        @Override
        public void solveItems() {
            gram = null;
            gram = half(itemUsers, users.data(), items.data(), params);
        }

        @Override
        public void solveUsers() {
            gram = null;
            gram = half(userItems, items.data(), users.data(), params);
        }

        @Override
        public double[] lastGram() {
            return gram;
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
        public Factors snapshot(Side side) {
            sideSnapshots++;
            return (side == Side.USERS ? users : items).copy();
        }

        @Override
        public State snapshot() {
            fullSnapshots++;
            return new State(users.copy(), items.copy());
        }

        @Override
        public State finish() {
            finishes++;
            return new State(users.copy(), items.copy());
        }

        @Override
        public void close() {
            fitsClosed++;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (lease != null) {
            try {
                lease.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
