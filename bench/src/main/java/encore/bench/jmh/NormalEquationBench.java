package encore.bench.jmh;

import encore.cpu.NormalEquation;
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

/**
 * The normal-equation build, the inner loop of every ALS solve: A += c·y yᵀ (upper triangle), b += r·y, for 256
 * ratings of one row at rank k. Reported per rating (ns/op ÷ 256).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NormalEquationBench {
    /** Ratings accumulated per invocation. */
    public static final int RATINGS = 256;

    /** The rank. */
    @Param({"10", "64", "128"})
    public int k;

    private NormalEquation ne;
    private float[] factors;
    private double[] targets;
    /** The same ratings as a CSR row: columns 0 … RATINGS−1, values = targets. */
    private int[] cols;

    private float[] vals;

    /** Random factors and targets. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(1);
        factors = new float[RATINGS * k];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = (float) rnd.nextGaussian();
        }
        targets = new double[RATINGS];
        for (int i = 0; i < RATINGS; i++) {
            targets[i] = 1 + rnd.nextInt(20);
        }
        ne = new NormalEquation(k);
        cols = new int[RATINGS];
        vals = new float[RATINGS];
        for (int i = 0; i < RATINGS; i++) {
            cols[i] = i;
            vals[i] = (float) targets[i];
        }
    }

    /** Explicit: c = 1 for every rating. */
    @Benchmark
    public double explicitRow() {
        ne.reset();
        for (int r = 0; r < RATINGS; r++) {
            ne.add(factors, r * k, targets[r], 1.0);
        }
        return ne.a()[0] + ne.b()[0];
    }

    /** Implicit: c = α·r, target (1 + α·r). */
    @Benchmark
    public double implicitRow() {
        ne.reset();
        for (int r = 0; r < RATINGS; r++) {
            double c = 10 * targets[r];
            ne.add(factors, r * k, 1 + c, c);
        }
        return ne.a()[0] + ne.b()[0];
    }

    /** Explicit, the engine's way: {@link NormalEquation#addRatings}, four ratings per pass over A. */
    @Benchmark
    public double explicitRowFourAtATime() {
        ne.reset();
        ne.addRatings(factors, cols, vals, 0, RATINGS, -1);
        return ne.a()[0] + ne.b()[0];
    }

    /** Implicit, the engine's way (c = 10·|r|). */
    @Benchmark
    public double implicitRowFourAtATime() {
        ne.reset();
        ne.addRatings(factors, cols, vals, 0, RATINGS, 10);
        return ne.a()[0] + ne.b()[0];
    }
}
