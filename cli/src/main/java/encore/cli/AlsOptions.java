package encore.cli;

import encore.als.AlsParams;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** ALS options shared by {@code run} and {@code train} (defaults: the Spark ALS recipe's). */
final class AlsOptions {
    @Option(
            names = "--rank",
            defaultValue = "10",
            description = "Factors per user and item. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--max-iter", defaultValue = "5", description = "ALS iterations. Default: ${DEFAULT-VALUE}.")
    int maxIter;

    @Option(
            names = "--reg",
            defaultValue = "0.01",
            description = "regParam (scaled per entity, ALS-WR). " + "Default: ${DEFAULT-VALUE}.")
    double reg;

    @Option(names = "--implicit", description = "Implicit feedback (confidence 1 + alpha*|r|) instead of explicit.")
    boolean implicit;

    @Option(
            names = "--alpha",
            defaultValue = "1.0",
            description = "Implicit confidence slope. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--nonnegative", description = "Constrain factors to be >= 0.")
    boolean nonnegative;

    @Option(
            names = "--solver",
            defaultValue = "cholesky",
            description = "cholesky (exact) or cg (implicit only, " + "warm-started). Default: ${DEFAULT-VALUE}.")
    String solver;

    @Option(
            names = "--cg-steps",
            defaultValue = "3",
            description = "Conjugate-gradient steps. Default: ${DEFAULT-VALUE}.")
    int cgSteps;

    @Option(
            names = "--als-seed",
            defaultValue = "" + AlsParams.SPARK_DEFAULT_SEED,
            description = "Seed of the initial factors. Default: Spark's, ${DEFAULT-VALUE}.")
    long alsSeed;

    @Option(
            names = "--init",
            defaultValue = "encore",
            description = "Initial factors: encore (a random stream per "
                    + "user and item) or spark (Spark MLlib's exact draws for the same seed and --num-blocks, so a fit on the same "
                    + "indexed data follows Spark's). Default: ${DEFAULT-VALUE}.")
    String init;

    @Option(
            names = "--num-blocks",
            defaultValue = "" + AlsParams.SPARK_DEFAULT_NUM_BLOCKS,
            description = "Spark's numUserBlocks/numItemBlocks; only "
                    + "changes the initial factors of --init spark. Default: ${DEFAULT-VALUE}.")
    int numBlocks;

    /** The parameters, or a usage error naming the bad option. */
    AlsParams params(CommandLine cl) {
        AlsParams.Init initMode;
        try {
            initMode = AlsParams.Init.parse(init);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "invalid --init '" + init + "': expected encore or spark");
        }
        try {
            return AlsParams.builder()
                    .rank(rank)
                    .maxIter(maxIter)
                    .regParam(reg)
                    .implicitPrefs(implicit)
                    .alpha(alpha)
                    .nonnegative(nonnegative)
                    .solver(AlsParams.Solver.parse(solver))
                    .cgSteps(cgSteps)
                    .seed(alsSeed)
                    .init(initMode)
                    .numBlocks(numBlocks)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(
                    cl,
                    e.getMessage().startsWith("No enum")
                            ? "invalid --solver '" + solver + "': expected cholesky or cg"
                            : CliFlags.phrase(e.getMessage()));
        }
    }
}
