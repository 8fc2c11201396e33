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
 * The CPU engine's explicit row solve — gather, normal equations, Cholesky (n ≥ k) or the dual system (n &lt; k) —
 * on the vector kernels and on the scalar ones (each in its own fork: the choice is fixed per JVM). 256 rows of n
 * ratings each over a 200 K-row fixed side (51 MB at rank 64, far beyond the caches, as at Last.fm scale); the score
 * is per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(256)
public class RowSolveBench {
    private static final int ROWS = 256;
    private static final int SRC_ROWS = 200_000;

    /** The rank. */
    @Param({"64", "128"})
    public int k;

    /** Ratings per row: 40 takes the dual system at these ranks, 200 the k × k Cholesky. */
    @Param({"40", "200"})
    public int n;

    private Csr ratings;
    private float[] src;
    private float[] dst;
    private AlsParams params;

    /** Random rows (sorted distinct columns) and factors. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(4);
        ratings = ScatteredRows.ratings(ROWS, SRC_ROWS, n, 5, rnd);
        src = ScatteredRows.factors(SRC_ROWS * k, rnd);
        dst = new float[ROWS * k];
        params = AlsParams.builder().rank(k).regParam(0.05).build();
    }

    /** The vector kernels (the default of every launcher). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public float vector() {
        return solve();
    }

    /** The scalar kernels (what a JVM without the incubator module runs; switched off explicitly, as forks inherit
     * the host JVM's flags). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dencore.cpu.simd=false")
    public float scalar() {
        return solve();
    }

    private float solve() {
        CpuHalfIteration.solve(ratings, src, dst, params, 1);
        return dst[7];
    }
}
