package encore.bench;

import java.util.Arrays;

/** Entry point of {@code bench/run}: dispatches to a scenario. */
public final class BenchMain {
    private BenchMain() {
    }

    /** Runs the scenario named by the first argument. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: bench/run frontend [--data FILE | --rows N --seed S] [--repeat R] [--threads T] "
                + "[--report FILE.md]");
            System.out.println("  frontend   time read+clean, aggregate, index, split, CSR on a listenings file; "
                + "median of R runs after one warm-up; peak heap");
            System.out.println("usage: bench/run als [--data FILE | --rows N --seed S] [--ranks 10,64,128] [--iters I] "
                + "[--report FILE.md]");
            System.out.println("  als        seconds per ALS iteration (explicit and implicit) and recommend-all top-10 "
                + "time per rank, CPU engine");
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "frontend" -> System.exit(FrontEndBenchmark.run(rest));
            case "als" -> System.exit(AlsBenchmark.run(rest));
            default -> {
                System.err.println("bench: unknown scenario '" + args[0] + "' (try --help)");
                System.exit(2);
            }
        }
    }
}
