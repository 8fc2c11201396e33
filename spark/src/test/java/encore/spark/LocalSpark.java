package encore.spark;

import org.apache.spark.sql.SparkSession;

/** The tests' Spark: {@code local[2]} on the loopback address, no UI, 4 shuffle partitions, WARN logging. */
final class LocalSpark {
    private LocalSpark() {}

    static SparkSession start(String app) {
        SparkSession spark = SparkSession.builder()
                .master("local[2]")
                .appName(app)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
