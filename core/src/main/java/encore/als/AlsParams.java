package encore.als;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * ALS hyper-parameters, with Spark MLlib's names and defaults: an immutable value, built by {@link #builder()} (or
 * {@link #fromMap}) and validated as a whole.
 *
 * <ul>
 *   <li>{@code rank}: length of every factor vector (≥ 1); Spark default 10</li>
 *   <li>{@code maxIter}: full iterations (items, then users) (≥ 0); Spark default 10</li>
 *   <li>{@code regParam}: λ (≥ 0), scaled per entity by its rating count (ALS-WR); Spark default 0.1</li>
 *   <li>{@code implicitPrefs}: implicit feedback (Hu–Koren–Volinsky, Spark's extension to any sign of r)</li>
 *   <li>{@code alpha}: implicit confidence slope, c = 1 + α|r| (≥ 0); Spark default 1.0</li>
 *   <li>{@code nonnegative}: constrain factors to be ≥ 0 (NNLS instead of Cholesky)</li>
 *   <li>{@code seed}: initialisation seed; Spark's default is the hash code of its class name, 1994790107</li>
 *   <li>{@code solver}: Cholesky (exact, default) or conjugate gradient (implicit only, warm-started)</li>
 *   <li>{@code cgSteps}: conjugate-gradient steps per solve (≥ 1), used by {@link Solver#CG}</li>
 *   <li>{@code coldStartStrategy}: what {@code transform} does with users/items that have no factors</li>
 *   <li>{@code init}: how the initial factors are drawn: Encore's per-entity streams or Spark's exact draws</li>
 *   <li>{@code numBlocks}: Spark's {@code numUserBlocks}/{@code numItemBlocks} (≥ 1), which only changes the initial
 *       factors; used by {@link Init#SPARK}; Spark default 10</li>
 * </ul>
 */
public final class AlsParams {
    private final int rank;
    private final int maxIter;
    private final double regParam;
    private final boolean implicitPrefs;
    private final double alpha;
    private final boolean nonnegative;
    private final long seed;
    private final Solver solver;
    private final int cgSteps;
    private final ColdStartStrategy coldStartStrategy;
    private final Init init;
    private final int numBlocks;

    /** Spark's default seed: {@code "org.apache.spark.ml.recommendation.ALS".hashCode()}. */
    public static final long SPARK_DEFAULT_SEED = 1994790107L;
    /** Spark's default {@code numUserBlocks} and {@code numItemBlocks}. */
    public static final int SPARK_DEFAULT_NUM_BLOCKS = 10;
    /** Rank above which a k×k solve per row stops making sense for this engine. */
    public static final int MAX_RANK = 1024;

    /** How each row's normal equations are solved. */
    public enum Solver {
        /** Exact: Cholesky factorisation of the k×k system (Spark's default). */
        CHOLESKY,
        /** Conjugate gradient, warm-started from the previous factors, {@code cgSteps} steps (implicit only). */
        CG;

        /** Parses {@code cholesky} or {@code cg}, case-insensitively. */
        public static Solver parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** How the initial factors are drawn; every variant gives unit vectors uniformly distributed on the sphere. */
    public enum Init {
        /**
         * One random stream per entity ({@code SplittableRandom} seeded by seed, side and index): the factors do not
         * depend on the thread count or on which other entities exist.
         */
        ENCORE,
        /**
         * Spark MLlib's draws, bit for bit: an XORShift stream per block of {@code numBlocks}, ids ascending within
         * a block. With the same seed and ids a fit follows Spark's trajectory (see {@code SparkInit}).
         */
        SPARK;

        /** Parses {@code encore} or {@code spark}, case-insensitively. */
        public static Init parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** Spark's {@code coldStartStrategy}. */
    public enum ColdStartStrategy {
        /** Predict NaN for a user or item without factors. */
        NAN,
        /** Drop such pairs. */
        DROP;

        /** Case-insensitive, as Spark accepts "NaN", "DROP", "Drop". */
        public static ColdStartStrategy parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** Validates every parameter; see the class comment for the ranges. */
    private AlsParams(Builder b) {
        this.rank = b.rank;
        this.maxIter = b.maxIter;
        this.regParam = b.regParam;
        this.implicitPrefs = b.implicitPrefs;
        this.alpha = b.alpha;
        this.nonnegative = b.nonnegative;
        this.seed = b.seed;
        this.solver = b.solver;
        this.cgSteps = b.cgSteps;
        this.coldStartStrategy = b.coldStartStrategy;
        this.init = b.init;
        this.numBlocks = b.numBlocks;

        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("rank must be in [1, " + MAX_RANK + "], got " + rank);
        }
        if (maxIter < 0) {
            throw new IllegalArgumentException("maxIter must be >= 0, got " + maxIter);
        }
        if (!(regParam >= 0) || Double.isInfinite(regParam)) {
            throw new IllegalArgumentException("regParam must be a finite number >= 0, got " + regParam);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number >= 0, got " + alpha);
        }
        if (solver == null || coldStartStrategy == null || init == null) {
            throw new IllegalArgumentException("solver, coldStartStrategy and init must be set");
        }
        if (numBlocks < 1) {
            throw new IllegalArgumentException("numBlocks must be >= 1, got " + numBlocks);
        }
        if (cgSteps < 1) {
            throw new IllegalArgumentException("cgSteps must be >= 1, got " + cgSteps);
        }
        if (solver == Solver.CG && !implicitPrefs) {
            throw new IllegalArgumentException("the cg solver is for implicit feedback; use cholesky for explicit");
        }
        if (solver == Solver.CG && nonnegative) {
            throw new IllegalArgumentException("nonnegative solves use NNLS; the cg solver cannot be combined with it");
        }
    }

    /** {@code rank}. */
    public int rank() {
        return rank;
    }

    /** {@code maxIter}. */
    public int maxIter() {
        return maxIter;
    }

    /** {@code regParam}. */
    public double regParam() {
        return regParam;
    }

    /** {@code implicitPrefs}. */
    public boolean implicitPrefs() {
        return implicitPrefs;
    }

    /** {@code alpha}. */
    public double alpha() {
        return alpha;
    }

    /** {@code nonnegative}. */
    public boolean nonnegative() {
        return nonnegative;
    }

    /** {@code seed}. */
    public long seed() {
        return seed;
    }

    /** {@code solver}. */
    public Solver solver() {
        return solver;
    }

    /** {@code cgSteps}. */
    public int cgSteps() {
        return cgSteps;
    }

    /** {@code coldStartStrategy}. */
    public ColdStartStrategy coldStartStrategy() {
        return coldStartStrategy;
    }

    /** {@code init}. */
    public Init init() {
        return init;
    }

    /** {@code numBlocks}. */
    public int numBlocks() {
        return numBlocks;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AlsParams && toMap().equals(((AlsParams) o).toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return "AlsParams" + toMap();
    }

    /**
     * The parameters as key/value pairs under Spark's names, in declaration order; values are exact ({@link
     * Double#toString} round-trips every double) and enums are lower case. {@link #fromMap} reads them back.
     */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("rank", Integer.toString(rank));
        m.put("maxIter", Integer.toString(maxIter));
        m.put("regParam", Double.toString(regParam));
        m.put("implicitPrefs", Boolean.toString(implicitPrefs));
        m.put("alpha", Double.toString(alpha));
        m.put("nonnegative", Boolean.toString(nonnegative));
        m.put("seed", Long.toString(seed));
        m.put("solver", solver.name().toLowerCase(Locale.ROOT));
        m.put("cgSteps", Integer.toString(cgSteps));
        m.put("coldStartStrategy", coldStartStrategy.name().toLowerCase(Locale.ROOT));
        m.put("init", init.name().toLowerCase(Locale.ROOT));
        m.put("numBlocks", Integer.toString(numBlocks));
        return m;
    }

    /**
     * Parameters from key/value pairs as {@link #toMap} writes them; keys that are absent keep Spark's defaults (so
     * a map written before a parameter existed still reads).
     *
     * @throws IllegalArgumentException naming the key, for an unknown key or a value that does not parse or is out of
     *                                  range
     */
    public static AlsParams fromMap(Map<String, String> m) {
        Builder b = builder();
        for (Map.Entry<String, String> e : m.entrySet()) {
            String v = e.getValue().trim();
            try {
                set(b, e.getKey(), v);
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(
                        "parameter " + e.getKey() + ": '" + e.getValue() + "' is not a number", ex);
            }
        }
        return b.build();
    }

    private static void set(Builder b, String key, String v) {
        switch (key) {
            case "rank" -> b.rank(Integer.parseInt(v));
            case "maxIter" -> b.maxIter(Integer.parseInt(v));
            case "regParam" -> b.regParam(Double.parseDouble(v));
            case "implicitPrefs" -> b.implicitPrefs(parseBoolean(key, v));
            case "alpha" -> b.alpha(Double.parseDouble(v));
            case "nonnegative" -> b.nonnegative(parseBoolean(key, v));
            case "seed" -> b.seed(Long.parseLong(v));
            case "solver" -> b.solver(parseEnum(key, v, Solver::parse));
            case "cgSteps" -> b.cgSteps(Integer.parseInt(v));
            case "coldStartStrategy" -> b.coldStartStrategy(parseEnum(key, v, ColdStartStrategy::parse));
            case "init" -> b.init(parseEnum(key, v, Init::parse));
            case "numBlocks" -> b.numBlocks(Integer.parseInt(v));
            default -> throw new IllegalArgumentException("unknown parameter '" + key + "'");
        }
    }

    private static boolean parseBoolean(String key, String v) {
        if (v.equals("true") || v.equals("false")) {
            return v.equals("true");
        }
        throw new IllegalArgumentException("parameter " + key + ": '" + v + "' is not true or false");
    }

    private static <E> E parseEnum(String key, String v, Function<String, E> parse) {
        try {
            return parse.apply(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("parameter " + key + ": unknown value '" + v + "'", e);
        }
    }

    /** Spark's defaults. */
    public static AlsParams defaults() {
        return builder().build();
    }

    /** A builder holding Spark's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these parameters. */
    public Builder toBuilder() {
        return new Builder()
                .rank(rank)
                .maxIter(maxIter)
                .regParam(regParam)
                .implicitPrefs(implicitPrefs)
                .alpha(alpha)
                .nonnegative(nonnegative)
                .seed(seed)
                .solver(solver)
                .cgSteps(cgSteps)
                .coldStartStrategy(coldStartStrategy)
                .init(init)
                .numBlocks(numBlocks);
    }

    /** Builder with Spark's defaults. */
    public static final class Builder {
        private int rank = 10;
        private int maxIter = 10;
        private double regParam = 0.1;
        private boolean implicitPrefs;
        private double alpha = 1.0;
        private boolean nonnegative;
        private long seed = SPARK_DEFAULT_SEED;
        private Solver solver = Solver.CHOLESKY;
        private int cgSteps = 3;
        private ColdStartStrategy coldStartStrategy = ColdStartStrategy.NAN;
        private Init init = Init.ENCORE;
        private int numBlocks = SPARK_DEFAULT_NUM_BLOCKS;

        /** Sets {@code rank}. */
        public Builder rank(int v) {
            rank = v;
            return this;
        }

        /** Sets {@code maxIter}. */
        public Builder maxIter(int v) {
            maxIter = v;
            return this;
        }

        /** Sets {@code regParam}. */
        public Builder regParam(double v) {
            regParam = v;
            return this;
        }

        /** Sets {@code implicitPrefs}. */
        public Builder implicitPrefs(boolean v) {
            implicitPrefs = v;
            return this;
        }

        /** Sets {@code alpha}. */
        public Builder alpha(double v) {
            alpha = v;
            return this;
        }

        /** Sets {@code nonnegative}. */
        public Builder nonnegative(boolean v) {
            nonnegative = v;
            return this;
        }

        /** Sets {@code seed}. */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Sets {@code solver}. */
        public Builder solver(Solver v) {
            solver = v;
            return this;
        }

        /** Sets {@code cgSteps}. */
        public Builder cgSteps(int v) {
            cgSteps = v;
            return this;
        }

        /** Sets {@code coldStartStrategy}. */
        public Builder coldStartStrategy(ColdStartStrategy v) {
            coldStartStrategy = v;
            return this;
        }

        /** Sets {@code init}. */
        public Builder init(Init v) {
            init = v;
            return this;
        }

        /** Sets {@code numBlocks}. */
        public Builder numBlocks(int v) {
            numBlocks = v;
            return this;
        }

        /** Builds the parameters; the record constructor validates them. */
        public AlsParams build() {
            return new AlsParams(this);
        }
    }
}
