package encore.cpu.archfixture;

import encore.bench.BenchMain;

/** Breaks "only bench imports bench". */
public final class PlantedBenchImport {
    public BenchMain bench;
}
