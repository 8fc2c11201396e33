package encore.bench.jmh;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.TopK;
import encore.data.LabelIndex;
import encore.matrix.Factors;
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

import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Top-k selection: the bounded heap alone (top-10 of 100,000 scores) and recommend-all end to end (blocked scoring +
 * norm pruning + heap) for 1,000 users over 20,000 items at rank 32, with Gaussian factors (little pruning) and with
 * count-like factors whose norms are very uneven (much pruning).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopKBench {
    /** Factor distribution for recommend-all. */
    @Param({"gaussian", "skewed"})
    public String factors;

    private final TopK heap = new TopK(10);
    private float[] scores;
    private AlsModel model;

    /** Random scores and a random model. */
    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(3);
        scores = new float[100_000];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) rnd.nextGaussian();
        }
        int users = 1_000;
        int items = 20_000;
        int k = 32;
        float[] u = new float[users * k];
        float[] v = new float[items * k];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < items; i++) {
            // skewed: item norms spread over three orders of magnitude, like factors fitted on play counts
            double scale = factors.equals("skewed") ? Math.pow(10, -3 * rnd.nextDouble()) : 1;
            for (int d = 0; d < k; d++) {
                v[i * k + d] = (float) (scale * rnd.nextGaussian());
            }
        }
        BitSet uh = new BitSet();
        uh.set(0, users);
        BitSet ih = new BitSet();
        ih.set(0, items);
        model = new AlsModel(
                AlsParams.builder().rank(k).build(),
                labels("u", users),
                labels("i", items),
                Factors.wrap(u, users, k, uh),
                Factors.wrap(v, items, k, ih));
    }

    private static LabelIndex labels(String prefix, int n) {
        String[] l = new String[n];
        for (int i = 0; i < n; i++) {
            l[i] = prefix + i;
        }
        return LabelIndex.ofOrdered(l, new int[n]);
    }

    /** Top-10 of 100,000 scores through the heap. */
    @Benchmark
    public int heapTop10() {
        heap.reset(10);
        float[] s = scores;
        for (int i = 0; i < s.length; i++) {
            if (s[i] > heap.threshold()) {
                heap.offer(i, s[i]);
            }
        }
        return heap.size();
    }

    /** Top-10 for each of 1,000 users over 20,000 items (rank 32). */
    @Benchmark
    public Object recommendAll() {
        return model.recommendForAllUsers(10, null);
    }
}
