package encore.spark;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.posexplode;

/**
 * The Spark ALS recipe users run today, as a Spark job with {@link EncoreALS} in place of {@code ALS}:
 *
 * <pre>
 *   spark-submit --class encore.spark.SeedRecipe encore-spark-all.jar --data listenings.csv --out DIR
 *       [--rank 10] [--iters 5] [--reg 0.01] [--implicit [--alpha 1]] [--split 0.5] [--seed 42]
 *       [--engine auto|cpu|gpu] [--blocks 10] [--top 10]
 * </pre>
 *
 * Steps 1–4 are Spark DataFrames, as in the recipe: read the CSV (header), drop {@code date}, {@code na.drop}, count
 * plays per (user_id, track), {@code StringIndexer} for both (handleInvalid keep), {@code randomSplit}; 5–6 are
 * EncoreALS (counts as explicit ratings, or with {@code --implicit} as implicit feedback with confidence
 * {@code 1 + alpha·count}; coldStartStrategy drop) and {@code recommendForAllUsers(10)}. It prints the test RMSE and
 * writes the top 10 (or {@code --top K}) of every user with the original string ids — {@code user_id, rank, track, score} —
 * as Parquet ({@code DIR/recommendations.parquet}) and CSV with a header ({@code DIR/recommendations.csv}), each
 * written under a temporary name and renamed into place.
 */
public final class SeedRecipe {
    private SeedRecipe() {}

    /** The recipe's settings (the recipe's own values by default). */
    public record Options(
            String data,
            String out,
            int rank,
            int iters,
            double reg,
            double split,
            long seed,
            String engine,
            int blocks,
            boolean implicit,
            double alpha,
            int top) {
        /**
         * Parses the command line (see the class comment).
         *
         * @throws IllegalArgumentException naming the flag that is missing, unknown or out of range
         */
        public static Options parse(String[] args) {
            String data = null;
            String out = null;
            int rank = 10;
            int iters = 5;
            double reg = 0.01;
            double split = 0.5;
            long seed = 42;
            String engine = "auto";
            int blocks = 10;
            boolean implicit = false;
            double alpha = 1.0;
            int top = 10;
            for (int i = 0; i < args.length; i += 2) {
                if (args[i].equals("--implicit")) {
                    implicit = true;
                    i--; // a flag without a value
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--data" -> data = v;
                    case "--out" -> out = v;
                    case "--rank" -> rank = Integer.parseInt(v);
                    case "--iters" -> iters = Integer.parseInt(v);
                    case "--reg" -> reg = Double.parseDouble(v);
                    case "--split" -> split = Double.parseDouble(v);
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--engine" -> engine = v.toLowerCase(Locale.ROOT);
                    case "--blocks" -> blocks = Integer.parseInt(v);
                    case "--alpha" -> alpha = Double.parseDouble(v);
                    case "--top" -> top = Integer.parseInt(v);
                    default ->
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + " (expected --data, --out, --rank, --iters, --reg, --implicit, --alpha, --split,"
                                + " --seed, --engine, --blocks, --top)");
                }
            }
            if (data == null || out == null) {
                throw new IllegalArgumentException("--data FILE and --out DIR are required");
            }
            if (!(split > 0 && split < 1)) {
                throw new IllegalArgumentException("--split must be in (0, 1), got " + split);
            }
            if (top < 1) {
                throw new IllegalArgumentException("--top must be >= 1, got " + top);
            }
            return new Options(data, out, rank, iters, reg, split, seed, engine, blocks, implicit, alpha, top);
        }
    }

    /**
     * What a run measured, its model and its prepared data (still cached: {@link Prepared#unpersist} when done).
     */
    record Result(
            long plays,
            long pairs,
            long trainPairs,
            long testPairs,
            double rmse,
            long users,
            ALSModel model,
            Prepared prepared) {
        /** One line: the counts, the test RMSE and where the top lists went. */
        String summary(Options o) {
            return String.format(
                    Locale.ROOT,
                    "plays %,d; (user, track) pairs %,d (train %,d, test %,d); test RMSE %.6f; top-%d for %,d users"
                            + " in %s",
                    plays,
                    pairs,
                    trainPairs,
                    testPairs,
                    rmse,
                    o.top(),
                    users,
                    o.out());
        }
    }

    /**
     * Steps 1–4: the clean plays, their (user, track) counts indexed, and the random split of those (train and test
     * cached).
     *
     * @param plays  clean rows (after na.drop)
     * @param pairs  (user, track) pairs
     * @param users  the user_id indexer
     * @param tracks the track indexer
     */
    public record Prepared(
            long plays,
            long pairs,
            StringIndexerModel users,
            StringIndexerModel tracks,
            Dataset<Row> train,
            Dataset<Row> test) {
        /** Drops the cached splits. */
        public void unpersist() {
            train.unpersist();
            test.unpersist();
        }
    }

    public static void main(String[] args) throws IOException {
        Options o = Options.parse(args);
        SparkSession spark =
                SparkSession.builder().appName("Encore seed recipe").getOrCreate();
        try {
            Result r = run(spark, o);
            r.prepared().unpersist();
            System.out.println(r.summary(o));
        } finally {
            spark.stop();
        }
    }

    /** Runs the recipe on {@code spark} (which the caller owns). */
    static Result run(SparkSession spark, Options o) throws IOException {
        Prepared data = prepare(spark, o);
        ALSModel model = estimator(o).fit(data.train());
        double rmse = new RegressionEvaluator()
                .setMetricName("rmse")
                .setLabelCol("count")
                .setPredictionCol("prediction")
                .evaluate(model.transform(data.test()));
        StringIndexerModel users = data.users();
        StringIndexerModel tracks = data.tracks();
        Dataset<Row> recs = model.recommendForAllUsers(o.top())
                .select(col("user"), posexplode(col("recommendations")).as(new String[] {"pos", "rec"}))
                .select(
                        col("user"),
                        col("pos").plus(lit(1)).as("rank"),
                        col("rec.item").as("item"),
                        col("rec.rating").as("score"));
        Dataset<Row> userLabels = labels(spark, users.labelsArray()[0], "user", "user_id");
        Dataset<Row> trackLabels = labels(spark, tracks.labelsArray()[0], "item", "track");
        Dataset<Row> named = recs.join(userLabels, "user")
                .join(trackLabels, "item")
                .select("user_id", "rank", "track", "score")
                .orderBy(col("user_id"), col("rank"))
                .cache();
        long withLists = named.select("user_id").distinct().count();
        writeAtomically(spark, named, o.out(), "recommendations.parquet", "parquet");
        writeAtomically(spark, named, o.out(), "recommendations.csv", "csv");
        named.unpersist();
        return new Result(
                data.plays(), data.pairs(), data.train().count(), data.test().count(), rmse, withLists, model, data);
    }

    /** Steps 1–4 of the recipe on Spark DataFrames. */
    public static Prepared prepare(SparkSession spark, Options o) {
        Dataset<Row> clean = spark.read()
                .option("header", "true")
                .csv(o.data())
                .drop("date")
                .na()
                .drop();
        long plays = clean.count();
        Dataset<Row> counts = clean.groupBy("user_id", "track").count();
        StringIndexerModel users = new StringIndexer()
                .setInputCol("user_id")
                .setOutputCol("user")
                .setHandleInvalid("keep")
                .fit(counts);
        StringIndexerModel tracks = new StringIndexer()
                .setInputCol("track")
                .setOutputCol("item")
                .setHandleInvalid("keep")
                .fit(counts);
        Dataset<Row> indexed = tracks.transform(users.transform(counts)).cache();
        long pairs = indexed.count();
        Dataset<Row>[] parts = indexed.randomSplit(new double[] {o.split(), 1 - o.split()}, o.seed());
        Dataset<Row> train = parts[0].cache();
        Dataset<Row> test = parts[1].cache();
        train.count();
        test.count();
        indexed.unpersist();
        return new Prepared(plays, pairs, users, tracks, train, test);
    }

    /** Steps 5–6's estimator: EncoreALS with the recipe's settings (counts as explicit ratings, cold start drop). */
    public static EncoreALS estimator(Options o) {
        EncoreALS als = new EncoreALS().setEngine(o.engine());
        configure(als, o);
        return als;
    }

    /**
     * Sets the recipe's params on an {@code ALS} (MLlib's own, for a side-by-side run, or an EncoreALS): rank,
     * maxIter, regParam, implicitPrefs and alpha, numBlocks, the indexed columns, ratingCol count, coldStartStrategy
     * drop and the seed.
     */
    public static ALS configure(ALS als, Options o) {
        return als.setRank(o.rank())
                .setImplicitPrefs(o.implicit())
                .setAlpha(o.alpha())
                .setMaxIter(o.iters())
                .setRegParam(o.reg())
                .setNumBlocks(o.blocks())
                .setUserCol("user")
                .setItemCol("item")
                .setRatingCol("count")
                .setColdStartStrategy("drop")
                .setSeed(o.seed());
    }

    /** (index, label) for the labels of a fitted StringIndexer, index i for labels[i]. */
    private static Dataset<Row> labels(SparkSession spark, String[] labels, String indexCol, String labelCol) {
        java.util.List<Row> rows = new java.util.ArrayList<>(labels.length);
        for (int i = 0; i < labels.length; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(i, labels[i]));
        }
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add(indexCol, org.apache.spark.sql.types.DataTypes.IntegerType, false)
                .add(labelCol, org.apache.spark.sql.types.DataTypes.StringType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** Writes {@code df} to {@code dir/.name.tmp}, then renames it to {@code dir/name} (replacing an older one). */
    private static void writeAtomically(SparkSession spark, Dataset<Row> df, String dir, String name, String format)
            throws IOException {
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "." + name + ".tmp");
        FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
        df.write()
                .mode(SaveMode.Overwrite)
                .option("header", "true")
                .format(format)
                .save(tmp.toString());
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("cannot replace " + target);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }
}
