package org.apache.spark.archfixture;

/** Stands in for a Spark class (Spark is not on the default build's class path); see PlantedSparkImport. */
public final class SparkStub {}
