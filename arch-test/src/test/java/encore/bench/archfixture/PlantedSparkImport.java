package encore.bench.archfixture;

import org.apache.spark.archfixture.SparkStub;

/**
 * Breaks "Spark only in bench/src/spark": in a bench package, but compiled from test sources rather than src/spark.
 * Spark is not on the default build's class path, so a stub in an {@code org.apache.spark} package stands in for it.
 */
public final class PlantedSparkImport {
    public SparkStub spark;
}
