package encore.cuda;

import encore.als.AlsParams;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;

import java.util.function.IntPredicate;

/**
 * A stand-in for the GPU engine in tests on machines without a GPU: solves with the CPU engine and reports the Gram
 * in double, and can be told to fail (throw, perturb a row, perturb the Gram) on a chosen call — the fault-injection
 * hook of the checked backend's tests.
 */
final class CpuTwinEngine implements CheckedAlsBackend.Engine {
    enum Fault { NONE, THROW_STICKY, PERTURB_LONGEST_ROW, PERTURB_GRAM, NAN_ROW, REPORT_SINGULAR }

    private static final int THREADS = 2;
    private final Fault fault;
    private final IntPredicate onCall;
    private int calls;
    private double[] gram;
    boolean closed;

    CpuTwinEngine(AlsParams p, Fault fault, IntPredicate onCall) {
        this.fault = fault;
        this.onCall = onCall;
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public double[] lastGram() {
        return gram;
    }

    @Override
    public void solve(Csr ratings, float[] src, float[] dst, AlsParams p) {
        int call = calls++;
        boolean hit = fault != Fault.NONE && onCall.test(call);
        if (hit && fault == Fault.THROW_STICKY) {
            throw new GpuException(700, "solve_rows failed: CUDA_ERROR_ILLEGAL_ADDRESS (700)");
        }
        if (hit && fault == Fault.REPORT_SINGULAR) {
            throw new encore.als.SingularSystemException(0, ratings.rowLength(0));
        }
        CpuHalfIteration.solve(ratings, src, dst, p, THREADS);
        int k = p.rank();
        gram = null;
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
        if (!hit) {
            return;
        }
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
            case PERTURB_GRAM -> gram[0] *= 1.001;
            case NAN_ROW -> dst[longest * k + k - 1] = Float.NaN;
            default -> { }
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
