package encore.bench.jmh;

import encore.als.AlsBackend;
import encore.als.AlsParams;
import encore.cpu.CpuBackendProvider;
import encore.matrix.Csr;
import encore.matrix.Factors;
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

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The CPU engine's implicit exact row solve for rows with few plays — the long tail of a catalogue: on the 13.7 M-row
 * listenings, 61 % of the million item rows have one to three — on the vector kernels and on the scalar ones (each in
 * its own fork). 256 rows of n entries (play counts 1–200) over a 200 K-row fixed side (51 MB at rank 64, beyond the
 * caches), through the prepared row solve on one thread, so that YᵀY and what the Woodbury rows share are computed
 * once in the set-up; the score is per row.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@OperationsPerInvocation(256)
public class WoodburyRowBench {
    private static final int ROWS = 256;
    private static final int SRC_ROWS = 200_000;

    /** The rank. */
    @Param({"64", "128"})
    public int k;

    /** Plays per row. */
    @Param({"1", "4", "16"})
    public int n;

    private Csr ratings;
    private AlsBackend.RowSolve solve;

    /** Random rows (sorted distinct columns), factors, and the prepared solve. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(4);
        ratings = ScatteredRows.ratings(ROWS, SRC_ROWS, n, 200, rnd);
        float[] src = ScatteredRows.factors(SRC_ROWS * k, rnd);
        AlsParams params = AlsParams.builder()
                .rank(k)
                .regParam(0.01)
                .implicitPrefs(true)
                .alpha(1)
                .build();
        BitSet all = new BitSet(SRC_ROWS);
        all.set(0, SRC_ROWS);
        solve = CpuBackendProvider.open(1).prepareRowSolve(Factors.wrap(src, SRC_ROWS, k, all), null, params);
    }

    /** The vector kernels (the default of every launcher). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public Factors vector() {
        return solve.solve(ratings, null);
    }

    /** The scalar kernels (a JVM without the incubator module; switched off explicitly, as forks inherit flags). */
    @Benchmark
    @Fork(value = 1, jvmArgsAppend = "-Dencore.cpu.simd=false")
    public Factors scalar() {
        return solve.solve(ratings, null);
    }
}
