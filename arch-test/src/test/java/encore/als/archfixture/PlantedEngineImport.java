package encore.als.archfixture;

import encore.cpu.CpuBackendProvider;

/** Breaks "core imports no engine": a core package naming the CPU engine instead of using ServiceLoader. */
public final class PlantedEngineImport {
    public Object engine() {
        return new CpuBackendProvider();
    }
}
