package encore.cli;

import encore.serve.EncoreServer;
import encore.serve.ServeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code encore serve}: the HTTP/JSON API over a model file ({@link EncoreServer}) until the process is stopped. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Answer recommendation requests over HTTP/JSON from a model file: GET /v1/recommend?user=U&k=10, "
                    + "POST /v1/recommend with plays (folded in), GET /v1/similar?item=I, GET|POST /v1/explain, "
                    + "GET /healthz, GET /metrics (Prometheus). A new model file at the same path (as 'encore train' "
                    + "writes it) is loaded in the background and swapped in; so does SIGHUP. Stop with Ctrl-C or "
                    + "SIGTERM. The API: README, 'Serving'."
        })
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model saved by 'encore train'.")
    Path model;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            defaultValue = "127.0.0.1",
            description = "Address to listen on (0.0.0.0: every interface). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "Port; 0 picks a free one (printed on start). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--max-concurrent",
            paramLabel = "N",
            defaultValue = "32",
            description = "Requests answered at once; more get 503 at once. Default: ${DEFAULT-VALUE}.")
    int maxConcurrent;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Handler threads (0: --max-concurrent + 4, the spare ones refuse the excess).")
    int threads;

    @Option(
            names = "--max-body",
            defaultValue = "1048576",
            paramLabel = "BYTES",
            description = "Largest request body; larger gets 413. Default: ${DEFAULT-VALUE}.")
    int maxBody;

    @Option(
            names = "--max-plays",
            paramLabel = "N",
            defaultValue = "10000",
            description = "Most entries in any list of a request (plays, exclude, only). Default: ${DEFAULT-VALUE}.")
    int maxPlays;

    @Option(
            names = "--poll-ms",
            defaultValue = "2000",
            paramLabel = "MS",
            description = "How often the model file is checked besides the directory watch. Default: ${DEFAULT-VALUE}.")
    long pollMillis;

    @Option(
            names = "--request-timeout",
            defaultValue = "10",
            paramLabel = "SECONDS",
            description = "A client must send its request (headers and body) within this; slower ones are "
                    + "disconnected. Default: ${DEFAULT-VALUE}.")
    int requestTimeout;

    @Option(names = "--no-sighup", description = "Do not reload on SIGHUP (the file watch still does).")
    boolean noSighup;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Library parameter names in this command's messages, as its flags. */
    private static String flags(String message) {
        return message.replace("maxConcurrent", "--max-concurrent")
                .replace("maxBodyBytes", "--max-body")
                .replace("maxPlays", "--max-plays")
                .replace("pollInterval", "--poll-ms")
                .replaceFirst("^(host|port|threads) must", "--$1 must");
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        ServeOptions options;
        try {
            if (requestTimeout < 1 || requestTimeout > 86_400) {
                throw new IllegalArgumentException(
                        "--request-timeout must be in 1..86400 seconds, got " + requestTimeout);
            }
            options = ServeOptions.builder(model)
                    .host(host)
                    .port(port)
                    .maxConcurrent(maxConcurrent)
                    .threads(threads)
                    .maxBodyBytes(maxBody)
                    .maxPlays(maxPlays)
                    .pollInterval(Duration.ofMillis(pollMillis))
                    .sighup(!noSighup)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, flags(e.getMessage()));
        }
        // the JDK server reads this once, when the JVM's first server is created
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(requestTimeout));
        EncoreServer server = EncoreServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    stopped.countDown();
                },
                "encore-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        PrintWriter out = cl.getOut();
        out.printf(
                Locale.ROOT,
                "encore serve: listening on http://%s:%d (%s, %s)%s%n",
                hostForUrl(server.address().getAddress().getHostAddress()),
                server.port(),
                model,
                server.describe(),
                server.handlesSighup() ? "; SIGHUP reloads" : "");
        out.flush();
        stopped.await();
        return 0;
    }

    private static String hostForUrl(String address) {
        return address.indexOf(':') >= 0 ? "[" + address + "]" : address;
    }
}
