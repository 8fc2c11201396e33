package encore.cpu;

import encore.als.AlsBackend;
import encore.als.AlsBackendProvider;
import encore.als.AlsFit;
import encore.als.AlsParams;
import encore.als.EngineOptions;
import encore.als.HostFit;
import encore.matrix.Csr;
import encore.matrix.Factors;

/**
 * A test engine, registered for the tests only ({@code src/test/resources/META-INF/services}) and below the CPU engine
 * in priority (so {@code auto} never picks it): the CPU half-iteration, except that the fourth half-iteration of a fit
 * (the users of iteration 2) writes a NaN into user 1's second value.
 */
public final class BrokenBackendProvider implements AlsBackendProvider {
    static final String NAME = "broken-for-tests";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -100;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public AlsBackend open(AlsParams params, EngineOptions options) {
        return new AlsBackend() {
            @Override
            public String name() {
                return NAME;
            }

            @Override
            public AlsFit startFit(Csr userItems, Csr itemUsers, AlsFit.State initial, AlsParams p) {
                int[] calls = {0};
                return new HostFit(userItems, itemUsers, initial, p, (ratings, src, dst) -> {
                    CpuHalfIteration.solve(ratings, src.data(), dst.data(), p, options.threads());
                    if (++calls[0] == 4) {
                        dst.data()[p.rank() + 1] = Float.NaN;
                    }
                });
            }

            @Override
            public Factors solveRows(Csr ratings, Factors src, double[] gram, Factors warmStart, AlsParams p) {
                throw new UnsupportedOperationException("not needed by the tests");
            }

            @Override
            public double[] gram(Factors src) {
                throw new UnsupportedOperationException("not needed by the tests");
            }

            @Override
            public void close() {}
        };
    }
}
