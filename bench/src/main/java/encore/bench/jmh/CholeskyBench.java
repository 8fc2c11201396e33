package encore.bench.jmh;

import encore.cpu.DenseSolvers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** One k×k SPD solve by Cholesky (factor + two triangular solves) at f = 10, 64, 128, including the copy-in. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CholeskyBench {
    /** The rank. */
    @Param({"10", "64", "128"})
    public int k;

    private double[] a;
    private double[] b;
    private double[] wa;
    private double[] wb;

    /** A = MᵀM + k·I (well conditioned), random b. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(2);
        double[] m = new double[k * k];
        for (int i = 0; i < m.length; i++) {
            m[i] = rnd.nextGaussian();
        }
        a = new double[k * k];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double s = i == j ? k : 0;
                for (int l = 0; l < k; l++) {
                    s += m[l * k + i] * m[l * k + j];
                }
                a[i * k + j] = s;
            }
        }
        b = new double[k];
        for (int i = 0; i < k; i++) {
            b[i] = rnd.nextGaussian();
        }
        wa = new double[k * k];
        wb = new double[k];
    }

    /** Copy A and b, then solve in place. */
    @Benchmark
    public double solve() {
        System.arraycopy(a, 0, wa, 0, a.length);
        System.arraycopy(b, 0, wb, 0, b.length);
        if (!DenseSolvers.choleskySolve(wa, wb, k)) {
            throw new IllegalStateException("not SPD");
        }
        return wb[0];
    }
}
