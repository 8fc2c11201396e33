package encore.bench.vs;

import encore.als.AlsParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of each scenario, read from the one command line that both engines receive, so the two sides can
 * never run different parameters. Defaults follow the issue: the seed recipe (explicit, rank 10, 5 iterations,
 * regParam 0.01, 50/50 split), MovieLens (rank 10 / reg 0.1 and rank 50 / reg 0.05, 10 iterations), implicit
 * (rank 32, alpha 10, reg 0.1, 10 iterations, 20 % per-user holdout), scaling (ranks 10, 32, 64, 128).
 */
public final class Scenario {
    /** The scenarios. */
    public static final List<String> NAMES = List.of("seed", "explicit", "implicit", "scaling");

    /** Default seed of both engines' ALS initialisation (the values differ anyway: see the README). */
    public static final long ALS_SEED = 42;

    /** Seed of the split hash. */
    public static final long SPLIT_SEED = 42;

    /** Top-K of recommendations and ranking metrics. */
    public static final int TOP = 10;

    /** One ALS configuration. */
    public record Als(String name, int rank, double reg, int iters, boolean implicit, double alpha) {}

    private Scenario() {}

    /** The output directory of a scenario run. */
    public static Path out(Opts o, String scenario) {
        return Path.of(o.get("out", "bench-out/" + scenario));
    }

    /** Timed runs (≥ 1; the issue asks for ≥ 3). */
    public static int repeat(Opts o, String engine) {
        return Math.max(1, o.integer(engine + "-repeat", o.integer("repeat", 3)));
    }

    /** Untimed warm-up runs. */
    public static int warmup(Opts o, String engine) {
        return Math.max(0, o.integer(engine + "-warmup", o.integer("warmup", 1)));
    }

    /** Cores for both engines (Encore's threads, Spark's {@code local[N]}). */
    public static int cores(Opts o) {
        return o.integer("cores", Runtime.getRuntime().availableProcessors());
    }

    /** The seed of both engines' ALS initialisation: {@code --als-seed} (default 42). */
    public static long alsSeed(Opts o) {
        return o.longValue("als-seed", ALS_SEED);
    }

    /**
     * How Encore draws its initial factors: {@code --init spark} (default: Spark's own draws for the same seed and
     * block count, so both engines start from identical factors and differ only in arithmetic) or {@code encore}.
     */
    public static AlsParams.Init alsInit(Opts o) {
        return AlsParams.Init.parse(o.get("init", "spark"));
    }

    /** Spark's {@code numBlocks} (both sides; it only changes Spark's, and Encore's Spark-style, initial factors). */
    public static int numBlocks(Opts o) {
        return o.integer("num-blocks", AlsParams.SPARK_DEFAULT_NUM_BLOCKS);
    }

    /** The seed recipe's ALS. */
    public static Als seed(Opts o) {
        return new Als("seed", o.integer("rank", 10), o.real("reg", 0.01), o.integer("iters", 5), false, 1.0);
    }

    /** The explicit configurations: {@code --configs rank:reg,...} (default {@code 10:0.1,50:0.05}). */
    public static List<Als> explicit(Opts o) {
        List<Als> out = new ArrayList<>();
        int iters = o.integer("iters", 10);
        for (String c : o.list("configs", "10:0.1,50:0.05")) {
            String[] f = c.split(":");
            int rank = Integer.parseInt(f[0]);
            out.add(new Als("r" + rank, rank, Double.parseDouble(f[1]), iters, false, 1.0));
        }
        return out;
    }

    /** The implicit configuration. */
    public static Als implicit(Opts o) {
        return new Als(
                "implicit",
                o.integer("rank", 32),
                o.real("reg", 0.1),
                o.integer("iters", 10),
                true,
                o.real("alpha", 10));
    }

    /** The scaling fits: explicit (reg 0.01) and implicit (alpha 10, reg 0.1) at each rank. */
    public static List<Als> scaling(Opts o) {
        List<Als> out = new ArrayList<>();
        int iters = o.integer("iters", 3);
        List<String> modes = o.list("modes", "explicit,implicit");
        for (String mode : modes) {
            boolean implicit = mode.equals("implicit");
            if (!implicit && !mode.equals("explicit")) {
                throw new IllegalArgumentException("--modes takes explicit and/or implicit, not " + mode);
            }
            for (int rank : o.ints("ranks", new int[] {10, 32, 64, 128})) {
                out.add(new Als(mode + "_r" + rank, rank, implicit ? 0.1 : 0.01, iters, implicit, 10));
            }
        }
        return out;
    }

    /**
     * One engine's side of the scenarios. Each method runs its scenario once, recording stage times in {@code run};
     * {@code target} is where the first timed run records what it learned (null otherwise).
     */
    public interface Engine {
        void seed(Path data, Prep.SplitFiles split, java.util.Map<String, Double> run, Results target) throws Exception;

        void explicit(Prep.SplitFiles split, java.util.Map<String, Double> run, Results target) throws Exception;

        void implicit(Prep.SplitFiles split, java.util.Map<String, Double> run, Results target) throws Exception;

        void scaling(Prep.SplitFiles split, java.util.Map<String, Double> run, Results target) throws Exception;

        /** Called after every run (e.g. to drop cached data). */
        default void afterRun(Results target) {}
    }

    /**
     * The warm-up and timed-run loop both engines share: {@link #warmup} untimed runs (the seed scenario warms up on
     * a small file), then {@link #repeat} timed ones, each printed as one line.
     */
    public static void runAll(Opts o, String engine, String scenario, Path out, Results res, Engine side)
            throws Exception {
        int warm = warmup(o, engine);
        int repeat = repeat(o, engine);
        Prep.SplitFiles split = Prep.files(o, scenario, out);
        boolean seed = scenario.equals("seed");
        for (int r = -warm; r < repeat; r++) {
            boolean timed = r >= 0;
            java.util.Map<String, Double> run = timed ? res.newRun() : new java.util.LinkedHashMap<>();
            long t0 = System.nanoTime();
            Path data = !seed ? null : timed ? Prep.data(o) : Prep.warmupData(o, out);
            Results target = timed && r == 0 ? res : null;
            switch (scenario) {
                case "seed" -> side.seed(data, timed ? split : null, run, target);
                case "explicit" -> side.explicit(split, run, target);
                case "implicit" -> side.implicit(split, run, target);
                case "scaling" -> side.scaling(split, run, target);
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
            side.afterRun(target);
            StringBuilder sb = new StringBuilder("{");
            run.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "")
                    .append(k)
                    .append('=')
                    .append(String.format(java.util.Locale.ROOT, "%.3f", v)));
            System.out.printf(
                    java.util.Locale.ROOT,
                    "%s %s %s: %.2f s %s}%n",
                    engine,
                    scenario,
                    timed ? "run " + (r + 1) : "warm-up",
                    (System.nanoTime() - t0) / 1e9,
                    sb);
        }
    }
}
