package encore.bench.archfixture;

/**
 * A class in a bench package for PlantedBenchImport to depend on (a stub rather than a real bench class, so that this
 * module compiles even when the reactor hands it bench's spark-classes instead of its classes; see the pom).
 */
public final class BenchStub {}
