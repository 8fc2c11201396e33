package encore.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a Spark {@code ALSModel}'s factor DataFrame ({@code id int, features array<float>}) into the driver, checked
 * as untrusted input (each partition in its executor): the schema, no null id, no id twice, every features array
 * present, of the model's rank, with no null and no non-finite value.
 */
final class SparkFactors {
    private SparkFactors() {}

    /**
     * One side's factors.
     *
     * @param source what was read, for messages ({@code DIR/userFactors})
     * @param ids    the ids, ascending
     * @param data   their factors, row-major in the order of {@code ids}
     */
    record Side(String source, int[] ids, float[] data) {}

    /**
     * Reads {@code df}: each partition's rows are checked and packed into one {@link FactorBlock} on its executor, the
     * blocks collected (the driver holds the factors as arrays, never as rows) and ordered by id.
     *
     * @throws InteropFormatException naming {@code source}, the id and the field of the first problem
     * @throws IOException            when the factors cannot be read
     */
    static Side read(Dataset<Row> df, int rank, String source) throws IOException {
        checkSchema(df.schema(), source);
        List<FactorBlock> blocks;
        try {
            blocks = df.select("id", "features")
                    .javaRDD()
                    .mapPartitions(rows -> List.of(block(rows, rank, source)).iterator())
                    .collect();
        } catch (Exception e) { // a task's failure arrives as a SparkException, its cause the task's exception
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof InteropFormatException f) {
                    throw new InteropFormatException(f.getMessage(), e);
                }
            }
            throw new IOException(source + ": cannot read the factors: " + e.getMessage(), e);
        }
        long n = 0;
        for (FactorBlock b : blocks) {
            n += b.ids.length;
        }
        if (n * rank > Integer.MAX_VALUE - 16) {
            throw new InteropFormatException(source + ": " + n + " rows at rank " + rank
                    + " are more factors than one Encore factor matrix holds");
        }
        int[] ids = new int[(int) n];
        float[] data = new float[(int) n * rank];
        int at = 0;
        for (FactorBlock b : blocks) {
            System.arraycopy(b.ids, 0, ids, at, b.ids.length);
            System.arraycopy(b.data, 0, data, at * rank, b.data.length);
            at += b.ids.length;
        }
        return sorted(source, ids, data, rank);
    }

    /** One partition's rows, checked, as a block ordered by id (on the executor). */
    private static FactorBlock block(Iterator<Row> rows, int rank, String source) throws InteropFormatException {
        int[] ids = new int[256];
        float[] data = new float[256 * rank];
        int n = 0;
        while (rows.hasNext()) {
            Row row = rows.next();
            if (row.isNullAt(0)) {
                throw new InteropFormatException(source + ": a row with a null id");
            }
            int id = row.getInt(0);
            if (row.isNullAt(1)) {
                throw new InteropFormatException(source + ": id " + id + " has null features");
            }
            List<Object> f = row.getList(1);
            if (f.size() != rank) {
                throw new InteropFormatException(
                        source + ": id " + id + " has " + f.size() + " features; the model's rank is " + rank);
            }
            if (n == ids.length) {
                long cap = 2L * n;
                if (cap * rank > Integer.MAX_VALUE - 16) {
                    throw new InteropFormatException(source + ": a partition with more than " + n + " rows at rank "
                            + rank + " holds more factors than one Encore factor matrix");
                }
                ids = Arrays.copyOf(ids, (int) cap);
                data = Arrays.copyOf(data, (int) cap * rank);
            }
            for (int d = 0; d < rank; d++) {
                Object v = f.get(d);
                if (v == null) {
                    throw new InteropFormatException(source + ": id " + id + ": feature " + d + " is null");
                }
                float x = (Float) v;
                if (!Float.isFinite(x)) {
                    throw new InteropFormatException(
                            source + ": id " + id + ": feature " + d + " is " + x + " (factors must be finite)");
                }
                data[n * rank + d] = x;
            }
            ids[n++] = id;
        }
        Side s = sorted(source, Arrays.copyOf(ids, n), Arrays.copyOf(data, n * rank), rank);
        return new FactorBlock(s.ids(), s.data(), rank);
    }

    private static void checkSchema(StructType schema, String source) throws InteropFormatException {
        DataType id = type(schema, "id", source);
        DataType features = type(schema, "features", source);
        if (!id.equals(DataTypes.IntegerType)) {
            throw new InteropFormatException(source + ": column id is " + id.simpleString()
                    + "; Spark ALS's factors are id int, features array<float>");
        }
        if (!(features instanceof ArrayType a) || !a.elementType().equals(DataTypes.FloatType)) {
            throw new InteropFormatException(source + ": column features is " + features.simpleString()
                    + "; Spark ALS's factors are id int, features array<float>");
        }
    }

    private static DataType type(StructType schema, String name, String source) throws InteropFormatException {
        for (StructField f : schema.fields()) {
            if (f.name().equals(name)) {
                return f.dataType();
            }
        }
        throw new InteropFormatException(source + ": no column " + name + " (the columns are "
                + String.join(", ", schema.fieldNames()) + "; Spark ALS's are id int, features array<float>)");
    }

    /** The rows ordered by id; an id twice is an error. */
    private static Side sorted(String source, int[] ids, float[] data, int rank) throws InteropFormatException {
        int n = ids.length;
        long[] order = new long[n];
        for (int r = 0; r < n; r++) {
            order[r] = ((long) ids[r] << 32) | r;
        }
        Arrays.sort(order);
        int[] sortedIds = new int[n];
        float[] sortedData = new float[data.length];
        for (int k = 0; k < n; k++) {
            int r = (int) order[k];
            if (k > 0 && sortedIds[k - 1] == ids[r]) {
                throw new InteropFormatException(source + ": id " + ids[r] + " appears twice");
            }
            sortedIds[k] = ids[r];
            System.arraycopy(data, r * rank, sortedData, k * rank, rank);
        }
        return new Side(source, sortedIds, sortedData);
    }
}
