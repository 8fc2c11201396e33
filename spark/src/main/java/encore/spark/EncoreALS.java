package encore.spark;

import encore.als.AlsParams;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.ml.util.DatasetUtils$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.lit;

/**
 * A drop-in for Spark ML's {@link ALS} that trains with Encore's engines in the executors: it <em>is</em> an
 * {@code ALS} (same params — names, defaults, validation, error messages — same input checks, same setters) and its
 * {@link #fit} returns Spark's own {@link ALSModel}, so {@code transform}, {@code recommendForAllUsers}, the factor
 * DataFrames, {@code ALSModel.load}, PySpark's {@code ALSModel} and every downstream tool work unchanged.
 *
 * <p>Training is distributed with Spark's own machinery ({@link DistributedAls}): ratings partitioned once into
 * {@code numUserBlocks} user blocks and {@code numItemBlocks} item blocks, each half-iteration's fixed-side factors
 * shipped to the blocks that rate them (broadcast when the side is at most {@link #broadcastThreshold} bytes), each
 * block's rows solved by Encore's stateless row solve on the executor. Encore's own params:
 *
 * <ul>
 *   <li>{@link #engine}: {@code auto} (the GPU when the executor has one that passes its probe, checked, with the CPU
 *       engine as fallback), {@code cpu}, {@code gpu};
 *   <li>{@link #solver}: {@code cholesky} (exact, as MLlib) or {@code cg} (implicit only: conjugate gradient, warm
 *       started, {@link #cgSteps} steps);
 *   <li>{@link #init}: {@code spark} (default: MLlib's own initial factors for the same seed and block counts, so the
 *       fit follows MLlib's trajectory) or {@code encore};
 *   <li>{@link #broadcastThreshold}.
 * </ul>
 *
 * The seed's default is {@code ALS}'s (the hash of {@code ALS}'s class name), so that an unseeded EncoreALS starts
 * where an unseeded ALS does.
 */
public class EncoreALS extends ALS {
    private static final long serialVersionUID = 1L;

    private final Param<String> engine;
    private final Param<String> solver;
    private final IntParam cgSteps;
    private final Param<String> init;
    private final LongParam broadcastThreshold;

    /** An estimator with a random uid, prefix {@code encoreALS}. */
    public EncoreALS() {
        this(Identifiable$.MODULE$.randomUID("encoreALS"));
    }

    /** An estimator with the given uid (what {@link #copy} and persistence use). */
    public EncoreALS(String uid) {
        super(uid);
        engine = new Param<>(
                this,
                "engine",
                "the engine that solves each block in the executors: auto (the GPU when the executor has one that"
                        + " passes its probe, with the CPU engine as checked fallback), cpu, gpu",
                ParamValidators.inArray(List.of("auto", "cpu", "gpu")));
        solver = new Param<>(
                this,
                "solver",
                "the row solver: cholesky (exact) or cg (conjugate gradient; implicit preferences only)",
                ParamValidators.inArray(List.of("cholesky", "cg")));
        cgSteps = new IntParam(
                this,
                "cgSteps",
                "conjugate gradient steps per row and half-iteration (solver=cg)",
                ParamValidators.<Object>gtEq(1));
        init = new Param<>(
                this,
                "init",
                "the initial factors: spark (MLlib's own draws for the same seed and block counts) or encore",
                ParamValidators.inArray(List.of("spark", "encore")));
        broadcastThreshold = new LongParam(
                this,
                "broadcastThreshold",
                "the largest fixed-side factor matrix (bytes) that is broadcast to every block each half-iteration;"
                        + " larger ones are shipped by a block join, each factor only to the blocks that rate it",
                ParamValidators.<Object>gtEq(0));
        setDefault(engine, "auto");
        setDefault(solver, "cholesky");
        setDefault(cgSteps, (Object) AlsParams.defaults().cgSteps());
        setDefault(init, "spark");
        setDefault(broadcastThreshold, (Object) (256L << 20));
        // ALS's default seed is its class name's hash (HasSeed): keep ALS's, not this subclass's
        setDefault(seed(), (Object) (long) ALS.class.getName().hashCode());
    }

    /** @return the engine param */
    public final Param<String> engine() {
        return engine;
    }

    /** @return the solver param */
    public final Param<String> solver() {
        return solver;
    }

    /** @return the CG steps param */
    public final IntParam cgSteps() {
        return cgSteps;
    }

    /** @return the init param */
    public final Param<String> init() {
        return init;
    }

    /** @return the broadcast threshold param (bytes) */
    public final LongParam broadcastThreshold() {
        return broadcastThreshold;
    }

    public String getEngine() {
        return getOrDefault(engine);
    }

    public String getSolver() {
        return getOrDefault(solver);
    }

    public int getCgSteps() {
        return (Integer) getOrDefault(cgSteps);
    }

    public String getInit() {
        return getOrDefault(init);
    }

    public long getBroadcastThreshold() {
        return (Long) getOrDefault(broadcastThreshold);
    }

    public EncoreALS setEngine(String value) {
        set(engine, value);
        return this;
    }

    public EncoreALS setSolver(String value) {
        set(solver, value);
        return this;
    }

    public EncoreALS setCgSteps(int value) {
        set(cgSteps, (Object) value);
        return this;
    }

    public EncoreALS setInit(String value) {
        set(init, value);
        return this;
    }

    public EncoreALS setBroadcastThreshold(long value) {
        set(broadcastThreshold, (Object) value);
        return this;
    }

    /**
     * Trains on {@code dataset} as {@link ALS#fit} does — the same schema checks, the same id checks (integers in the
     * Integer range, no nulls), the same rating checks (no NaN), the same ALSModel out — with Encore's engines.
     */
    @Override
    public ALSModel fit(Dataset<?> dataset) {
        return fitWithSummary(dataset).model();
    }

    /** A fitted model and what the fit did. */
    public record Fitted(ALSModel model, FitSummary summary) {}

    /**
     * {@link #fit}, with the fit's {@link FitSummary} (sizes, per-half-iteration times and shipped bytes, the engine
     * of each block solve); {@code fit} logs the same summary at INFO (logger {@code encore.spark.EncoreALS}).
     */
    public Fitted fitWithSummary(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        Column users = checkIntegers(dataset, getUserCol());
        Column items = checkIntegers(dataset, getItemCol());
        Column ratings = getRatingCol().isEmpty()
                ? lit(1.0f)
                : DatasetUtils$.MODULE$
                        .checkNonNanValues(getRatingCol(), "Ratings")
                        .cast(DataTypes.FloatType);
        Dataset<Row> triples = dataset.select(users, items, ratings);
        if (getSolver().equals("cg") && !getImplicitPrefs()) {
            throw new IllegalArgumentException(
                    "solver=cg needs implicitPrefs=true (conjugate gradient solves the implicit-feedback system)");
        }
        DistributedAls.Result r = new DistributedAls(alsParams(), settings()).train(triples.javaRDD());
        ALSModel model = new ALSModel(uid(), getRank(), r.userFactors(), r.itemFactors());
        model.setBlockSize(getBlockSize()).setParent(this);
        copyValues(model, ParamMap.empty());
        org.apache.logging.log4j.LogManager.getLogger(EncoreALS.class)
                .info(r.summary().describe());
        return new Fitted(model, r.summary());
    }

    /** Encore's parameters for these params (the single-machine equivalent of this estimator). */
    AlsParams alsParams() {
        return AlsParams.builder()
                .rank(getRank())
                .maxIter(getMaxIter())
                .regParam(getRegParam())
                .implicitPrefs(getImplicitPrefs())
                .alpha(getAlpha())
                .nonnegative(getNonnegative())
                .seed(getSeed())
                .solver(AlsParams.Solver.parse(getSolver()))
                .cgSteps(getCgSteps())
                .init(AlsParams.Init.parse(getInit()))
                .numBlocks(getNumUserBlocks())
                .build();
    }

    /** How the distributed fit runs: blocks, storage, checkpoints, shipping, the engine. */
    DistributedAls.Settings settings() {
        return new DistributedAls.Settings(
                getNumUserBlocks(),
                getNumItemBlocks(),
                StorageLevel.fromString(getIntermediateStorageLevel()),
                StorageLevel.fromString(getFinalStorageLevel()),
                getCheckpointInterval(),
                getBroadcastThreshold(),
                getEngine().toLowerCase(Locale.ROOT));
    }

    @Override
    public EncoreALS copy(ParamMap extra) {
        return (EncoreALS) defaultCopy(extra);
    }

    /**
     * Loads an estimator {@link #save}d at {@code path}. ({@code ALS.read()}, which a {@code Pipeline} load calls by
     * reflection on this class, reads it too: the saved metadata names this class.)
     */
    public static EncoreALS load(String path) {
        return (EncoreALS) ALS.read().load(path);
    }
}
