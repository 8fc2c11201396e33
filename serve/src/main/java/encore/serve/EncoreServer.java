package encore.serve;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/JSON server answering with a model file: recommendations for training users and for plays (folded in),
 * similar items, explanations, health and Prometheus metrics (the API is in the README, "Serving"). It runs on the JDK's
 * built-in server ({@code com.sun.net.httpserver}) with a fixed pool of handler threads, re-reads the model file when
 * it changes (and on SIGHUP when {@link ServeOptions#sighup()}) and swaps the new model in without failing a request.
 *
 * <p>The JDK server reads its timeouts from JVM-wide system properties, once, when the first server of the JVM is
 * created; {@link #start} sets those that are not set yet: {@code sun.net.httpserver.maxReqTime} (10 s to send a
 * request, headers and body: slow clients are disconnected), {@code sun.net.httpserver.maxRspTime} (30 s from the
 * request read to the response sent) and {@code sun.net.httpserver.nodelay} (true: small responses are not held back
 * by Nagle's algorithm).
 */
public final class EncoreServer implements AutoCloseable {
    /** The defaults {@link #start} gives the JDK server's JVM-wide settings when they are not set. */
    static final String[][] JDK_DEFAULTS = {
        {"sun.net.httpserver.maxReqTime", "10"},
        {"sun.net.httpserver.maxRspTime", "30"},
        {"sun.net.httpserver.nodelay", "true"}
    };

    private final ServeOptions options;
    private final LiveModel live;
    private final Metrics metrics;
    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final Api api;
    private final Hangup hangup;

    private EncoreServer(ServeOptions options, LiveModel live, HttpServer http, ThreadPoolExecutor pool) {
        this.options = options;
        this.live = live;
        this.metrics = new Metrics();
        this.http = http;
        this.pool = pool;
        http.setExecutor(pool);
        this.api = new Api(live, metrics, options);
        http.createContext("/", api);
        http.start();
        this.hangup = options.sighup() ? Hangup.install(this::reload) : null;
    }

    /**
     * Loads the model, binds and starts answering.
     *
     * @throws IOException when the model file cannot be loaded (the message names the file) or the address cannot be
     *                     bound
     */
    public static EncoreServer start(ServeOptions options) throws IOException {
        for (String[] p : JDK_DEFAULTS) {
            if (System.getProperty(p[0]) == null) {
                System.setProperty(p[0], p[1]);
            }
        }
        LiveModel live = LiveModel.open(options.model(), options.log(), options.pollInterval());
        HttpServer http = null;
        ThreadPoolExecutor pool = null;
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(options.host()), options.port());
            http = HttpServer.create(address, 256);
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(
                    options.threads(), options.threads(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "encore-serve-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            return new EncoreServer(options, live, http, pool);
        } catch (IOException | RuntimeException | Error e) {
            if (http != null) {
                http.stop(0);
            }
            if (pool != null) {
                pool.shutdownNow();
            }
            live.close();
            if (e instanceof java.net.BindException b) {
                throw new java.net.BindException(
                        "cannot listen on " + options.host() + ":" + options.port() + ": " + b.getMessage());
            }
            throw e;
        }
    }

    /** The port listened on (the one picked when {@link ServeOptions#port()} was 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The address listened on. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The generation of the model being served: 1 at start, +1 for each model loaded since. */
    public long generation() {
        return live.current().generation();
    }

    /** The model being served in a few words: generation, users, items, rank. */
    public String describe() {
        LiveModel.Served s = live.current();
        return String.format(
                java.util.Locale.ROOT,
                "generation %d: %d users, %d items, rank %d%s",
                s.generation(),
                s.model().users().size(),
                s.model().items().size(),
                s.model().rank(),
                s.model().params().implicitPrefs() ? ", implicit" : "");
    }

    /** Models loaded since start after the first one. */
    public long reloads() {
        return live.reloads();
    }

    /** Model files that could not be loaded since start (the previous model kept serving each time). */
    public long reloadFailures() {
        return live.failures();
    }

    /** Whether SIGHUP reloads the model (asked for, and the platform has it). */
    public boolean handlesSighup() {
        return hangup != null;
    }

    /** Loads the model file again in the background, even if it looks unchanged (what SIGHUP does). */
    public void reload() {
        live.reloadNow();
    }

    /** The options this server runs with. */
    public ServeOptions options() {
        return options;
    }

    /**
     * Stops: new requests get 503, requests being answered get up to {@code graceMillis} to finish, then the server
     * stops listening and closes every connection.
     */
    public void close(long graceMillis) {
        api.closing();
        if (hangup != null) {
            hangup.close();
        }
        live.close();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        while (metrics.inFlight() > 0 && System.nanoTime() < end) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        http.stop(0);
        pool.shutdownNow();
    }

    /** {@link #close(long)} with two seconds' grace. */
    @Override
    public void close() {
        close(2000);
    }

    /** Requests being handled now: a reply reaches its client a moment before its request is counted as answered. */
    int inFlight() {
        return metrics.inFlight();
    }
}
