package encore.cpu.archfixture;

import encore.bench.archfixture.BenchStub;

/** Breaks "only bench imports bench": a cpu package depending on a bench package. */
public final class PlantedBenchImport {
    public BenchStub bench;
}
