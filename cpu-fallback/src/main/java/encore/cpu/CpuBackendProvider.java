package encore.cpu;

import encore.als.AlsBackend;
import encore.als.AlsBackendProvider;
import encore.als.AlsParams;
import encore.als.EngineOptions;

/** Registers the CPU engine; always available, lowest priority (a GPU wins under {@code auto}). */
public final class CpuBackendProvider implements AlsBackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public AlsBackend open(AlsParams params, EngineOptions options) {
        return new CpuAlsBackend(options.threads());
    }

    /** The CPU engine on {@code threads} worker threads (what a checked GPU backend falls back to). */
    public static AlsBackend open(int threads) {
        return new CpuAlsBackend(threads);
    }
}
