package encore.cpu.archfixture;

import encore.cuda.GpuProbe;

/** Breaks "cpu imports no cuda". */
public final class PlantedGpuImport {
    public GpuProbe probe;
}
