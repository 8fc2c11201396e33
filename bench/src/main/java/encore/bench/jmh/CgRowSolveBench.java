package encore.bench.jmh;

import encore.als.AlsParams;
import encore.cpu.CpuHalfIteration;
import encore.matrix.Csr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The CPU engine's implicit CG row solve (3 steps: residual and three passes, each G·v plus a sweep over the row's
 * factors) on the vector kernels and on the scalar ones (each in its own fork: the choice is fixed per JVM; the
 * scalar CG is the pre-v2 engine's arithmetic, bit for bit). 256 rows of n entries over a 200 K-row fixed side (51 MB
 * at rank 64, beyond the caches, as at Last.fm scale), YᵀY given (computed once in the set-up); the score is per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(256)
public class CgRowSolveBench {
    private static final int ROWS = 256;
    private static final int SRC_ROWS = 200_000;

    /** The rank. */
    @Param({"64", "128", "256"})
    public int k;

    /** Entries per row (the Last.fm-360K shape's mean is about 50). */
    @Param({"50", "500"})
    public int n;

    private Csr ratings;
    private float[] src;
    private float[] start;
    private float[] dst;
    private double[] gram;
    private AlsParams params;

    /** Random rows (sorted distinct columns), factors, and the fixed side's YᵀY. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(4);
        ratings = ScatteredRows.ratings(ROWS, SRC_ROWS, n, 20, rnd);
        src = ScatteredRows.factors(SRC_ROWS * k, rnd);
        start = ScatteredRows.factors(ROWS * k, rnd);
        dst = start.clone();
        params = AlsParams.builder()
                .rank(k)
                .regParam(0.1)
                .implicitPrefs(true)
                .alpha(10)
                .solver(AlsParams.Solver.CG)
                .cgSteps(3)
                .build();
        gram = new double[k * k];
        for (int r = 0; r < SRC_ROWS; r++) {
            for (int i = 0; i < k; i++) {
                double yi = src[r * k + i];
                for (int j = i; j < k; j++) {
                    gram[i * k + j] += yi * src[r * k + j];
                }
            }
        }
    }

    /** The vector kernels (the default of every launcher). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public float vector() {
        return solve();
    }

    /** The scalar kernels (a JVM without the incubator module; switched off explicitly, as forks inherit flags). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dencore.cpu.simd=false")
    public float scalar() {
        return solve();
    }

    private float solve() {
        System.arraycopy(start, 0, dst, 0, dst.length); // the same warm start every call
        CpuHalfIteration.solve(ratings, src, gram, dst, params, 1);
        return dst[7];
    }
}
