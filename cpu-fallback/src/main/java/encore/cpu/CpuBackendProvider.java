package encore.cpu;

import encore.als.AlsBackend;
import encore.als.AlsBackendProvider;
import encore.als.AlsParams;

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
    public AlsBackend open(AlsParams params) {
        return new CpuAlsBackend(params.threads());
    }
}
