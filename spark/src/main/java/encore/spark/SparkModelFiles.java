package encore.spark;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.data.LabelIndex;
import encore.matrix.Factors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.SparkSession;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Encore models to and from Spark ML's own {@link ALSModel} directories (docs/spark-interop.md).
 *
 * <p><b>Export</b> ({@link #export}): the model becomes Spark's {@code ALSModel} ({@link #toSpark}: {@code id} = the
 * Encore user/item index, {@code features} = its factor, only rows with factors, as {@code ALS.fit} leaves them),
 * written by Spark's own {@code ALSModel.write().save}, so the directory is exactly Spark's layout
 * ({@code metadata/}, {@code userFactors/}, {@code itemFactors/} Parquet) and {@code ALSModel.load} (Scala, Java,
 * PySpark) reads it. Beside them, which {@code ALSModel.load} ignores: {@value LabelFiles#USERS} and
 * {@value LabelFiles#ITEMS} ({@code id,label,frequency} for every index, with factors or not: see {@link LabelFiles})
 * and {@value InteropManifest#FILE} (the parameters Spark's model does not store, the counts, the model's
 * metadata). The directory is written under a temporary name beside the target and renamed into place.
 *
 * <p><b>Import</b> ({@link #importModel}): any saved {@code ALSModel} (MLlib's {@code ALS.fit}, EncoreALS, an export)
 * becomes an Encore model. Index space: with a label file, its ids in ascending order (index = position; ids
 * 0 … n−1, as a {@code StringIndexer} gives them, keep their value) and ids without factors are users/items without
 * factors; without one, the ids that have factors in ascending order, labelled by the id in decimal. Parameters: rank
 * and coldStartStrategy from the Spark model; regParam, implicitPrefs and alpha — which Spark's model does not store
 * and fold-in needs — from {@value InteropManifest#FILE} when the directory has one, else they must be given
 * ({@link ImportOptions}; nonnegative is false unless given); the rest (maxIter, seed, …) are Spark's defaults, which
 * only a retraining would use. Options given override {@value InteropManifest#FILE}.
 */
public final class SparkModelFiles {
    /** The Spark class a model directory must hold. */
    static final String ALS_MODEL_CLASS = ALSModel.class.getName();

    private SparkModelFiles() {}

    /**
     * The Spark-side settings of an exported model.
     *
     * @param userCol       the user id column {@code transform} reads (Spark's default {@code user})
     * @param itemCol       the item id column (default {@code item})
     * @param predictionCol the column {@code transform} adds (default {@code prediction})
     * @param blockSize     Spark's {@code blockSize} for {@code recommendFor…} (default 4096)
     * @param overwrite     whether an existing directory is replaced (else it is an error, as Spark's {@code save})
     */
    public record ExportOptions(
            String userCol, String itemCol, String predictionCol, int blockSize, boolean overwrite) {
        /** Checks the column names (not empty) and the block size (at least 1, as Spark's). */
        public ExportOptions {
            for (String c : new String[] {userCol, itemCol, predictionCol}) {
                if (c == null || c.isEmpty()) {
                    throw new IllegalArgumentException("the user, item and prediction column names must not be empty");
                }
            }
            if (blockSize < 1) {
                throw new IllegalArgumentException("blockSize must be at least 1, got " + blockSize);
            }
        }

        /** Spark's defaults, no overwrite. */
        public static ExportOptions defaults() {
            return new ExportOptions("user", "item", "prediction", 4096, false);
        }

        /** These options with {@code userCol} and {@code itemCol}. */
        public ExportOptions withColumns(String user, String item) {
            return new ExportOptions(user, item, predictionCol, blockSize, overwrite);
        }

        /** These options with {@code overwrite}. */
        public ExportOptions withOverwrite(boolean replace) {
            return new ExportOptions(userCol, itemCol, predictionCol, blockSize, replace);
        }
    }

    /**
     * What an import needs besides the directory; null fields are not given.
     *
     * @param userLabels    a user label file or directory of CSV part files (default: the model directory's
     *                      {@value LabelFiles#USERS} if it has one, else the ids)
     * @param itemLabels    likewise for items
     * @param regParam      λ the model was trained with
     * @param implicitPrefs whether it was trained on implicit feedback
     * @param alpha         the implicit confidence slope (implicit feedback only)
     * @param nonnegative   whether it was trained with nonnegative factors (default false)
     */
    public record ImportOptions(
            String userLabels,
            String itemLabels,
            Double regParam,
            Boolean implicitPrefs,
            Double alpha,
            Boolean nonnegative) {
        /** Nothing given: enough for a directory with {@value InteropManifest#FILE}. */
        public static ImportOptions none() {
            return new ImportOptions(null, null, null, null, null, null);
        }

        /** Explicit feedback trained with {@code regParam}. */
        public static ImportOptions explicit(double regParam) {
            return new ImportOptions(null, null, regParam, false, null, null);
        }

        /** Implicit feedback trained with {@code regParam} and {@code alpha}. */
        public static ImportOptions implicit(double regParam, double alpha) {
            return new ImportOptions(null, null, regParam, true, alpha, null);
        }

        /** These options with label files (null: the default). */
        public ImportOptions withLabels(String users, String items) {
            return new ImportOptions(users, items, regParam, implicitPrefs, alpha, nonnegative);
        }
    }

    /**
     * An imported model.
     *
     * @param model    the model
     * @param metadata what {@code ModelStore.save} should store with it: where it came from, the Spark version and uid,
     *                 where its parameters and labels came from
     */
    public record Imported(AlsModel model, Map<String, String> metadata) {}

    /**
     * {@code model} as Spark's {@code ALSModel}: factor DataFrames {@code id int, features array<float>} with the rows
     * that have factors ({@code id} = index), Encore's rank and coldStartStrategy, {@code o}'s columns and block size.
     */
    public static ALSModel toSpark(SparkSession spark, AlsModel model, ExportOptions o) {
        ALSModel m = new ALSModel(
                Identifiable$.MODULE$.randomUID("als"),
                model.rank(),
                FactorFrames.of(spark, model.userFactors()),
                FactorFrames.of(spark, model.itemFactors()));
        return m.setUserCol(o.userCol())
                .setItemCol(o.itemCol())
                .setPredictionCol(o.predictionCol())
                .setColdStartStrategy(model.params().coldStartStrategy().name().toLowerCase(Locale.ROOT))
                .setBlockSize(o.blockSize());
    }

    /**
     * Writes {@code model} to {@code dir} (any Hadoop file system path) as the class comment says: Spark's
     * {@code ALSModel} layout plus the label files and {@value InteropManifest#FILE}, all written into
     * {@code .NAME.tmp-UUID} beside {@code dir} and renamed to {@code dir} when complete (with
     * {@link ExportOptions#overwrite}, an existing {@code dir} is first renamed aside, then deleted). On failure
     * nothing is left but what was there.
     *
     * @param metadata the model file's metadata, kept in {@value InteropManifest#FILE} (null for none)
     * @throws FileAlreadyExistsException when {@code dir} exists and {@code overwrite} is false
     * @throws IllegalArgumentException   when a label is not valid Unicode
     * @throws IOException                when a file cannot be written
     */
    public static void export(
            SparkSession spark, AlsModel model, Map<String, String> metadata, String dir, ExportOptions o)
            throws IOException {
        LabelFiles.check(model.users(), "user");
        LabelFiles.check(model.items(), "item");
        byte[] manifest = InteropManifest.write(model, metadata);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path given = new Path(dir);
        FileSystem fs = given.getFileSystem(conf);
        Path target = fs.makeQualified(given);
        Path parent = target.getParent();
        if (parent == null) {
            throw new IllegalArgumentException("cannot export to the root directory " + target);
        }
        if (fs.exists(target) && !o.overwrite()) {
            throw new FileAlreadyExistsException(target + " already exists (overwrite replaces it)");
        }
        fs.mkdirs(parent);
        String tag = UUID.randomUUID().toString();
        Path tmp = new Path(parent, "." + target.getName() + ".tmp-" + tag);
        try {
            toSpark(spark, model, o).write().save(tmp.toString());
            FileSystem raw = LabelFiles.raw(fs);
            try (OutputStream out = raw.create(new Path(tmp, LabelFiles.USERS), false)) {
                LabelFiles.write(out, model.users(), "user");
            }
            try (OutputStream out = raw.create(new Path(tmp, LabelFiles.ITEMS), false)) {
                LabelFiles.write(out, model.items(), "item");
            }
            try (OutputStream out = raw.create(new Path(tmp, InteropManifest.FILE), false)) {
                out.write(manifest);
            }
            commit(fs, tmp, target, new Path(parent, "." + target.getName() + ".old-" + tag));
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(tmp, true);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** Renames {@code tmp} to {@code target}, an existing {@code target} renamed to {@code old} first and deleted. */
    private static void commit(FileSystem fs, Path tmp, Path target, Path old) throws IOException {
        boolean replacing = fs.exists(target);
        if (replacing && !fs.rename(target, old)) {
            throw new IOException("cannot rename " + target + " aside to " + old);
        }
        if (!fs.rename(tmp, target)) {
            if (replacing && !fs.rename(old, target)) {
                throw new IOException("cannot rename " + tmp + " to " + target + ", nor the old " + old + " back");
            }
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        if (replacing && !fs.delete(old, true)) {
            throw new IOException("exported to " + target + " but cannot delete the replaced " + old);
        }
    }

    /**
     * Reads the Spark {@code ALSModel} saved in {@code dir} as an Encore model, as the class comment says.
     *
     * @throws InteropFormatException   when {@code dir} is not an {@code ALSModel} directory, its factors are not
     *                                  Spark's schema, an id is duplicated, a factor has the wrong length or is not
     *                                  finite, a label file is malformed or lacks an id that has factors, or
     *                                  {@value InteropManifest#FILE} disagrees with the model
     * @throws IllegalArgumentException when parameters the directory does not hold are not given, or are invalid
     * @throws IOException              when a file cannot be read
     */
    public static Imported importModel(SparkSession spark, String dir, ImportOptions o) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path given = new Path(dir);
        FileSystem fs = given.getFileSystem(conf);
        Path root = fs.makeQualified(given);
        if (!fs.exists(root)) {
            throw new FileNotFoundException(root + " does not exist");
        }
        for (String part : new String[] {"metadata", "userFactors", "itemFactors"}) {
            if (!fs.exists(new Path(root, part))) {
                throw new InteropFormatException(root + " is not a saved Spark ALSModel: it has no " + part
                        + "/ (ALSModel.save writes metadata/, userFactors/ and itemFactors/)");
            }
        }
        SparkMetadata meta = SparkMetadata.read(fs, root);
        if (!meta.className().equals(ALS_MODEL_CLASS)) {
            throw new InteropFormatException(
                    root + " holds a saved " + meta.className() + ", not an " + ALS_MODEL_CLASS);
        }
        ALSModel m;
        try {
            m = ALSModel.load(root.toString());
        } catch (RuntimeException e) {
            throw new InteropFormatException(root + ": ALSModel.load failed: " + e.getMessage(), e);
        }
        int rank = m.rank();
        if (rank < 1 || rank > AlsParams.MAX_RANK) {
            throw new InteropFormatException(
                    root + "/metadata: rank " + rank + " is outside 1 … " + AlsParams.MAX_RANK);
        }
        Path manifestFile = new Path(root, InteropManifest.FILE);
        InteropManifest.Manifest manifest = fs.exists(manifestFile) ? InteropManifest.read(fs, manifestFile) : null;
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("created_by", "encore-spark import (" + SparkModelFiles.class.getName() + ")");
        metadata.put("created_at", Instant.now().toString());
        metadata.put("source", root.toString());
        metadata.put("spark_class", meta.className());
        metadata.put("spark_uid", meta.uid());
        metadata.put("spark_version", meta.sparkVersion());
        AlsParams params = params(o, m, manifest, manifestFile, metadata);
        SparkFactors.Side users = SparkFactors.read(m.userFactors(), rank, root + "/userFactors");
        SparkFactors.Side items = SparkFactors.read(m.itemFactors(), rank, root + "/itemFactors");
        LabelFiles.Labels userLabels = labels(fs, root, o.userLabels(), LabelFiles.USERS, manifest, "user", metadata);
        LabelFiles.Labels itemLabels = labels(fs, root, o.itemLabels(), LabelFiles.ITEMS, manifest, "item", metadata);
        Indexed u = index(users, userLabels, rank);
        Indexed i = index(items, itemLabels, rank);
        return new Imported(new AlsModel(params, u.labels(), i.labels(), u.factors(), i.factors()), metadata);
    }

    /** The model's parameters: Spark's rank and coldStartStrategy; the rest from the manifest and the options. */
    private static AlsParams params(
            ImportOptions o,
            ALSModel m,
            InteropManifest.Manifest manifest,
            Path manifestFile,
            Map<String, String> metadata)
            throws InteropFormatException {
        AlsParams.Builder b;
        if (manifest != null) {
            AlsParams stored;
            try {
                stored = AlsParams.fromMap(manifest.params());
            } catch (IllegalArgumentException e) {
                throw new InteropFormatException(manifestFile + ": params: " + e.getMessage(), e);
            }
            if (stored.rank() != m.rank()) {
                throw new InteropFormatException(manifestFile + ": rank " + stored.rank()
                        + ", but the ALSModel has rank " + m.rank() + " (the directory mixes two models)");
            }
            b = stored.toBuilder();
        } else {
            StringBuilder missing = new StringBuilder();
            if (o.regParam() == null) {
                missing.append(", regParam (--reg)");
            }
            if (o.implicitPrefs() == null) {
                missing.append(", implicitPrefs (--explicit or --implicit)");
            } else if (o.implicitPrefs() && o.alpha() == null) {
                missing.append(", alpha (--alpha)");
            }
            if (missing.length() > 0) {
                throw new IllegalArgumentException(
                        manifestFile.getParent() + " has no " + InteropManifest.FILE + " (it was not exported by"
                                + " Encore) and a Spark ALSModel does not store the training parameters that fold-in"
                                + " needs; give " + missing.substring(2) + " as the model was trained (Spark's "
                                + "defaults: regParam 0.1, explicit, alpha 1.0)");
            }
            b = AlsParams.builder();
        }
        StringBuilder given = new StringBuilder();
        if (o.regParam() != null) {
            b.regParam(o.regParam());
            given.append(", regParam");
        }
        if (o.implicitPrefs() != null) {
            b.implicitPrefs(o.implicitPrefs());
            given.append(", implicitPrefs");
        }
        if (o.alpha() != null) {
            b.alpha(o.alpha());
            given.append(", alpha");
        }
        if (o.nonnegative() != null) {
            b.nonnegative(o.nonnegative());
            given.append(", nonnegative");
        }
        // an ALSModel built by its constructor has no default coldStartStrategy (ALS's is nan)
        String strategy = m.isDefined(m.coldStartStrategy()) ? m.getColdStartStrategy() : "nan";
        AlsParams.ColdStartStrategy cold;
        try {
            cold = AlsParams.ColdStartStrategy.parse(strategy);
        } catch (IllegalArgumentException e) {
            throw new InteropFormatException(
                    manifestFile.getParent() + "/metadata: coldStartStrategy '" + strategy + "' is not nan or drop");
        }
        AlsParams p = b.rank(m.rank()).coldStartStrategy(cold).build();
        if (!p.implicitPrefs() && o.alpha() != null) {
            throw new IllegalArgumentException("alpha (--alpha) is for implicit feedback; this model is explicit");
        }
        String from = manifest != null ? InteropManifest.FILE : "";
        if (given.length() > 0) {
            from += (from.isEmpty() ? "" : " and ") + "options (" + given.substring(2) + ")";
        }
        metadata.put("params_from", "Spark (rank, coldStartStrategy), " + from);
        return p;
    }

    /** The labels of one side: the option's file, else the directory's, else none (the ids). */
    private static LabelFiles.Labels labels(
            FileSystem fs,
            Path root,
            String option,
            String name,
            InteropManifest.Manifest manifest,
            String side,
            Map<String, String> metadata)
            throws IOException {
        LabelFiles.Labels labels = null;
        if (option != null) {
            Path p = new Path(option);
            FileSystem lfs = p.getFileSystem(fs.getConf());
            labels = LabelFiles.read(lfs, lfs.makeQualified(p));
        } else if (fs.exists(new Path(root, name))) {
            labels = LabelFiles.read(fs, new Path(root, name));
            int expected = manifest == null ? -1 : side.equals("user") ? manifest.users() : manifest.items();
            if (expected >= 0 && labels.size() != expected) {
                throw new InteropFormatException(root + "/" + name + ": " + labels.size() + " " + side + "s, but "
                        + InteropManifest.FILE + " says " + expected + " (the directory mixes two models)");
            }
        } else if (manifest != null) {
            throw new InteropFormatException(
                    root + ": " + name + " is missing (" + InteropManifest.FILE + " says the export wrote it)");
        }
        metadata.put(side + "_labels", labels == null ? "the ids (no label file)" : labels.source());
        return labels;
    }

    /** One side in Encore's index space. */
    private record Indexed(LabelIndex labels, Factors factors) {}

    /** Places the factors of {@code f} (ids ascending) at their indices (see the class comment). */
    private static Indexed index(SparkFactors.Side f, LabelFiles.Labels labels, int rank)
            throws InteropFormatException {
        int[] ids = f.ids();
        if (labels == null) {
            String[] names = new String[ids.length];
            for (int r = 0; r < ids.length; r++) {
                names[r] = Integer.toString(ids[r]);
            }
            BitSet present = new BitSet(ids.length);
            present.set(0, ids.length);
            return new Indexed(
                    LabelIndex.ofOrdered(names, new int[ids.length]),
                    Factors.wrap(f.data(), ids.length, rank, present));
        }
        int n = labels.size();
        if ((long) n * rank > Integer.MAX_VALUE - 16) {
            throw new InteropFormatException(labels.source() + ": " + n + " ids at rank " + rank
                    + " are more factors than one Encore factor matrix holds");
        }
        float[] data = new float[n * rank];
        BitSet present = new BitSet(n);
        int[] labelled = labels.ids();
        int j = 0;
        for (int r = 0; r < ids.length; r++) {
            while (j < n && labelled[j] < ids[r]) {
                j++;
            }
            if (j == n || labelled[j] != ids[r]) {
                throw new InteropFormatException(f.source() + " has id " + ids[r] + ", which " + labels.source()
                        + " does not list (every id with factors needs a label)");
            }
            System.arraycopy(f.data(), r * rank, data, j * rank, rank);
            present.set(j);
        }
        return new Indexed(
                LabelIndex.ofOrdered(labels.labels(), labels.frequencies()), Factors.wrap(data, n, rank, present));
    }
}
