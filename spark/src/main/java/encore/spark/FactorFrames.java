package encore.spark;

import encore.matrix.Factors;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * Factor matrices as Spark ALS's factor DataFrames: {@code id int} (not null), {@code features array<float>} (no null
 * elements) — the schema {@code ALS.fit} gives its {@code ALSModel}'s {@code userFactors}/{@code itemFactors}, which
 * {@code ALSModel.save} writes as Parquet and {@code ALSModel.load} reads back. {@link DistributedAls} builds its fit's
 * frames with it, {@link SparkModelFiles} an exported Encore model's.
 */
final class FactorFrames {
    /** The factor DataFrames' schema. */
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true);

    /** Rows per task when a driver-side factor matrix becomes a DataFrame (16 Mi floats: 64 MiB of features). */
    private static final long FLOATS_PER_SLICE = 16L << 20;

    private FactorFrames() {}

    /** The row of entity {@code id}: its {@code rank} features at {@code data[from, from + rank)}, copied. */
    static Row row(int id, float[] data, int from, int rank) {
        float[] v = new float[rank];
        System.arraycopy(data, from, v, 0, rank);
        return RowFactory.create(id, v);
    }

    /**
     * The rows of {@code f} that have factors, {@code id} = row index, as a DataFrame: the matrix is broadcast once
     * and each task turns its slice of the present rows into Spark rows, so the driver holds no row objects and no task
     * carries factors in its closure.
     */
    static Dataset<Row> of(SparkSession spark, Factors f) {
        int rank = f.rank();
        int[] present = f.present().stream().toArray();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<float[]> data = jsc.broadcast(f.data());
        Broadcast<int[]> ids = jsc.broadcast(present);
        long floats = (long) present.length * rank;
        int slices = (int) Math.max(1, Math.min(present.length, (floats + FLOATS_PER_SLICE - 1) / FLOATS_PER_SLICE));
        slices = Math.max(slices, Math.min(present.length, jsc.defaultParallelism()));
        List<int[]> ranges = new ArrayList<>(slices);
        for (int s = 0; s < slices; s++) {
            ranges.add(new int[] {
                (int) ((long) present.length * s / slices), (int) ((long) present.length * (s + 1) / slices)
            });
        }
        return spark.createDataFrame(
                jsc.parallelize(ranges, Math.max(1, slices)).flatMap(range -> {
                    float[] d = data.value();
                    int[] rows = ids.value();
                    List<Row> out = new ArrayList<>(range[1] - range[0]);
                    for (int p = range[0]; p < range[1]; p++) {
                        out.add(row(rows[p], d, rows[p] * rank, rank));
                    }
                    return out.iterator();
                }),
                SCHEMA);
    }
}
