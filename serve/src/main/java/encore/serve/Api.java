package encore.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import encore.serve.Metrics.Endpoint;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * The one handler behind every path: routes by exact path and method, admits at most {@code maxConcurrent} model
 * requests at once (the next one gets 503 at once, without waiting), reads bodies up to the limit, maps refusals to
 * their status and {@code {"error": …}}, and anything unexpected to 500 with a generic message (the details go to the
 * log, never to the client). {@code /healthz} and {@code /metrics} are not counted against the limit, so that a busy
 * server still answers its monitoring. Every request is counted in {@link Metrics}.
 */
final class Api implements HttpHandler {
    private static final String JSON = "application/json; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final LiveModel live;
    private final Metrics metrics;
    private final ServeOptions options;
    private final Endpoints endpoints;
    private final JsonFactory json;
    private final Semaphore permits;
    private volatile boolean closing;

    Api(LiveModel live, Metrics metrics, ServeOptions options) {
        this.live = live;
        this.metrics = metrics;
        this.options = options;
        this.json = JsonBody.factory(options.maxBodyBytes());
        this.endpoints = new Endpoints(json);
        this.permits = new Semaphore(options.maxConcurrent());
    }

    /** From now on every request but /healthz and /metrics gets 503 (the server is stopping). */
    void closing() {
        closing = true;
    }

    /** A response: status, content type, body and whether to close the connection after it. */
    private record Reply(int status, String type, byte[] body, boolean close, String allow) {
        static Reply json(int status, byte[] body) {
            return new Reply(status, JSON, body, false, null);
        }
    }

    @Override
    public void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        metrics.started();
        Endpoint endpoint = Endpoint.of(ex.getRequestURI().getRawPath());
        String method = ex.getRequestMethod();
        int status = 500;
        try {
            Reply r = reply(endpoint, method, ex);
            status = r.status;
            send(ex, r);
        } catch (IOException e) {
            // the client went away (or timed out) while we wrote: nothing to tell it
            // status stays what was being sent
        } finally {
            metrics.finished(endpoint, method, status, System.nanoTime() - t0);
            ex.close();
        }
    }

    private Reply reply(Endpoint endpoint, String method, HttpExchange ex) {
        try {
            return route(endpoint, method, ex);
        } catch (ApiException e) {
            return new Reply(e.status(), JSON, endpoints.error(e.getMessage()), e.status() == 413, null);
        } catch (MethodNotAllowed e) {
            return new Reply(
                    405,
                    JSON,
                    endpoints.error("method " + Query.clip(method) + " is not allowed here"),
                    false,
                    e.allow);
        } catch (VirtualMachineError e) {
            if (!(e instanceof OutOfMemoryError)) {
                throw e;
            }
            return internal(endpoint, method, e);
        } catch (Exception | LinkageError | AssertionError e) {
            return internal(endpoint, method, e);
        }
    }

    private Reply internal(Endpoint endpoint, String method, Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        options.log().accept("internal error on " + method + " " + endpoint.path + ": " + trace);
        return Reply.json(500, endpoints.error("internal error (logged by the server)"));
    }

    private static final class MethodNotAllowed extends Exception {
        private static final long serialVersionUID = 1L;
        final String allow;

        MethodNotAllowed(String allow) {
            super(allow, null, false, false);
            this.allow = allow;
        }
    }

    private Reply route(Endpoint endpoint, String method, HttpExchange ex) throws Exception {
        String query = ex.getRequestURI().getRawQuery();
        switch (endpoint) {
            case HEALTHZ -> {
                only(method, "GET");
                Query.parse(query, java.util.List.of(), Set.of(), options.maxPlays());
                return Reply.json(200, endpoints.health(live));
            }
            case METRICS -> {
                only(method, "GET");
                Query.parse(query, java.util.List.of(), Set.of(), options.maxPlays());
                return new Reply(200, PROMETHEUS, metrics.render(live).getBytes(StandardCharsets.UTF_8), false, null);
            }
            case OTHER ->
                throw new ApiException(
                        404, "no such endpoint (try /v1/recommend, /v1/similar, /v1/explain, /healthz or /metrics)");
            default -> {
                boolean post = endpoint != Endpoint.SIMILAR && method.equals("POST");
                if (!post) {
                    only(method, endpoint == Endpoint.SIMILAR ? "GET" : "GET, POST");
                }
                if (closing) {
                    throw new ApiException(503, "the server is shutting down");
                }
                if (!permits.tryAcquire()) {
                    throw new ApiException(
                            503, "too many concurrent requests (at most " + options.maxConcurrent() + "): retry");
                }
                try {
                    LiveModel.Served served = live.current(); // this request answers from this model to the end
                    options.admitted().accept(endpoint.path);
                    return Reply.json(200, post ? post(endpoint, ex, query, served) : get(endpoint, query, served));
                } finally {
                    permits.release();
                }
            }
        }
    }

    private byte[] get(Endpoint endpoint, String query, LiveModel.Served served) throws ApiException {
        return switch (endpoint) {
            case RECOMMEND -> endpoints.recommend(served, parse(query, Endpoints.RECOMMEND_QUERY));
            case SIMILAR -> endpoints.similar(served, parse(query, Endpoints.SIMILAR_QUERY));
            case EXPLAIN -> endpoints.explain(served, parse(query, Endpoints.EXPLAIN_QUERY));
            default -> throw new IllegalStateException("no GET for " + endpoint);
        };
    }

    private byte[] post(Endpoint endpoint, HttpExchange ex, String query, LiveModel.Served served)
            throws ApiException, IOException {
        if (query != null && !query.isEmpty()) {
            throw new ApiException(400, "POST takes its parameters in the JSON body, not in the query string");
        }
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
            throw new ApiException(415, "Content-Type must be application/json, got '" + Query.clip(type) + "'");
        }
        byte[] body = body(ex);
        if (endpoint == Endpoint.RECOMMEND) {
            return endpoints.recommendPlays(served, JsonBody.parse(json, body, JsonBody.RECOMMEND, options.maxPlays()));
        }
        return endpoints.explainPlays(served, JsonBody.parse(json, body, JsonBody.EXPLAIN, options.maxPlays()));
    }

    private Query parse(String query, java.util.List<String> names) throws ApiException {
        return Query.parse(query, names, Endpoints.LISTS, options.maxPlays());
    }

    private static void only(String method, String allowed) throws MethodNotAllowed {
        if (!method.equals("GET") && !(method.equals("POST") && allowed.contains("POST"))) {
            throw new MethodNotAllowed(allowed);
        }
    }

    /** The request body, refused with 413 once it passes the limit (before reading it when its length says so). */
    private byte[] body(HttpExchange ex) throws ApiException, IOException {
        int max = options.maxBodyBytes();
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        int expected = 8192;
        if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new ApiException(400, "Content-Length is not a number");
            }
            if (n > max) {
                throw new ApiException(413, "the request body is larger than " + max + " bytes");
            }
            expected = (int) Math.max(0, n);
        }
        byte[] buf = new byte[Math.min(max + 1, Math.max(expected, 1))];
        int n = 0;
        try (InputStream in = ex.getRequestBody()) {
            while (true) {
                if (n == buf.length) {
                    if (n > max) {
                        throw new ApiException(413, "the request body is larger than " + max + " bytes");
                    }
                    buf = Arrays.copyOf(buf, (int) Math.min(max + 1L, 2L * n));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        }
        if (n > max) {
            throw new ApiException(413, "the request body is larger than " + max + " bytes");
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    private static void send(HttpExchange ex, Reply r) throws IOException {
        var h = ex.getResponseHeaders();
        h.set("Content-Type", r.type);
        h.set("Cache-Control", "no-store");
        if (r.allow != null) {
            h.set("Allow", r.allow);
        }
        if (r.status == 503) {
            h.set("Retry-After", "1");
        }
        if (r.close) {
            h.set("Connection", "close");
        }
        ex.sendResponseHeaders(r.status, r.body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(r.body);
        }
    }
}
