package encore.bench;

import encore.bench.gpu.DeviceCheck;
import encore.bench.vs.EncoreSide;
import encore.bench.vs.Prep;
import encore.bench.vs.RatingsGenerator;
import encore.bench.vs.Report;

import java.util.Arrays;

/** Entry point of {@code bench/run}: dispatches to a scenario. */
public final class BenchMain {
    private BenchMain() {}

    /** Runs the scenario named by the first argument. */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: bench/run frontend [--data FILE | --rows N --seed S] [--repeat R] [--threads T] "
                    + "[--report FILE.md]");
            System.out.println("  frontend   time read+clean, aggregate, index, split, CSR on a listenings file; "
                    + "median of R runs after one warm-up; peak heap");
            System.out.println("usage: bench/run als [--data FILE | --rows N --seed S] [--ranks 10,64,128] [--iters I] "
                    + "[--report FILE.md]");
            System.out.println(
                    "  als        seconds per ALS iteration (explicit and implicit) and recommend-all top-10 "
                            + "time per rank, CPU engine");
            System.out.println("usage: bench/run serving [--model listenings|lastfm360k|random] [--rows N] [--scale F] "
                    + "[--items N] [--rank 64] [--plays 10,100,1000] [--queries 2000] [--report FILE.md]");
            System.out.println(
                    "  serving    fold-in and fold-in + top-10 latency (p50/p99/max), one request at a time");
            System.out.println(
                    "usage: bench/run vs recipe|explicit|implicit|scaling [options]   (see bench/run --help)");
            System.out.println("usage: bench/run jmh [JMH options]");
            System.out.println("usage: bench/run ratings --out FILE [--users 300 --items 200 --per-user 40 --rank 5 "
                    + "--seed 7]   small planted explicit ratings (the CI smoke run)");
            System.out.println("usage: bench/run device-check [--listenings FILE] [--ranks 10,64,128] [--iters 5] "
                    + "[--cpu-ranks 64] [--cpu-iters 1] [--modes explicit,implicit] [--lastfm-scale 1] [--out FILE] "
                    + "[--cpu-only]");
            System.out.println("  device-check   ms per iteration of the raw GPU engine (and the CPU's) and GPU top-10 "
                    + "(cuda-kernels/device-check.sh runs it)");
            System.out.println(
                    "usage: bench/run serve-load [--clients 16] [--seconds 30] [--items 1000000] [--users 50000] "
                            + "[--rank 64] [--post-share 0.5] [--warmup 5] [--out DIR]   encore serve under load on loopback, a reload midway");
            System.exit(args.length == 0 ? 2 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "frontend" -> System.exit(FrontEndBenchmark.run(rest));
            case "als" -> System.exit(AlsBenchmark.run(rest));
            case "serving" -> System.exit(ServingBenchmark.run(rest));
            // the steps of "bench/run vs SCENARIO" (the launcher runs them in order, each engine in its own JVM)
            case "vs-prep" -> System.exit(Prep.run(rest[0], tail(rest)));
            case "vs-encore" -> System.exit(EncoreSide.run(rest[0], tail(rest)));
            case "vs-report" -> System.exit(Report.run(rest[0], tail(rest)));
            case "ratings" -> System.exit(RatingsGenerator.run(rest));
            case "device-check" -> System.exit(DeviceCheck.run(rest));
            case "serve-load" -> System.exit(ServeLoadBenchmark.run(rest));
            case "jmh" -> org.openjdk.jmh.Main.main(rest);
            default -> {
                System.err.println("bench: unknown scenario '" + args[0] + "' (try --help)");
                System.exit(2);
            }
        }
    }

    private static String[] tail(String[] a) {
        if (a.length == 0) {
            throw new IllegalArgumentException("a scenario name is needed");
        }
        return Arrays.copyOfRange(a, 1, a.length);
    }
}
