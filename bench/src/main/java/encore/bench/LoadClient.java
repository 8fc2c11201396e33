package encore.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One client of {@link ServeLoadBenchmark}: a keep-alive HTTP/1.1 connection to 127.0.0.1 on which it sends one
 * request after another until the deadline (GET recommend for a random user, or POST recommend with 10–100 random
 * plays), timing each from the first byte sent to the last byte read. A plain socket rather than an HTTP client
 * library, so that the client's own cost on the shared cores stays small and the same for every request.
 */
final class LoadClient {
    /** The time span of the reload (nanoTime): requests sent within it are also reported on their own. */
    static final class Window {
        private volatile long from = Long.MAX_VALUE;
        private volatile long to = Long.MAX_VALUE;

        void open(long t) {
            from = t;
        }

        void close(long t) {
            to = t;
        }

        long from() {
            return from;
        }

        long to() {
            return to;
        }

        boolean contains(long t) {
            return t >= from && t <= to;
        }
    }

    /** Latencies in nanoseconds, growable. */
    static final class Samples {
        long[] ns = new long[1024];
        int n;

        void add(long v) {
            if (n == ns.length) {
                ns = Arrays.copyOf(ns, 2 * n);
            }
            ns[n++] = v;
        }

        static Samples merge(List<Samples> parts) {
            Samples all = new Samples();
            for (Samples p : parts) {
                for (int i = 0; i < p.n; i++) {
                    all.add(p.ns[i]);
                }
            }
            Arrays.sort(all.ns, 0, all.n);
            return all;
        }

        /** The q-quantile in ms (nearest rank) of sorted samples. */
        double quantileMillis(double q) {
            if (n == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * n) - 1;
            return ns[Math.max(0, Math.min(n - 1, rank))] / 1e6;
        }
    }

    /** What one client saw: [GET, POST] × [all, during the reload], errors, answers by generation. */
    record Result(Samples[] all, Samples[] reload, long errors, List<String> errorSamples, long[] byGeneration) {}

    private final int port;
    private final ServeLoadBenchmark.Settings settings;
    private final SplittableRandom rnd;
    private final Window window;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    LoadClient(int port, ServeLoadBenchmark.Settings settings, long seed, Window window) {
        this.port = port;
        this.settings = settings;
        this.rnd = new SplittableRandom(seed);
        this.window = window;
    }

    Result run(long deadline) throws IOException {
        Samples[] all = {new Samples(), new Samples()};
        Samples[] reload = {new Samples(), new Samples()};
        long errors = 0;
        List<String> errorSamples = new ArrayList<>();
        long[] byGeneration = new long[4];
        try {
            connect();
            while (System.nanoTime() < deadline) {
                boolean post = rnd.nextDouble() < settings.postShare();
                byte[] request = post ? post() : get();
                long t = System.nanoTime();
                String problem;
                int generation = -1;
                try {
                    Answer a = exchange(request);
                    generation = a.generation();
                    problem = a.status == 200 && generation > 0 ? null : a.status + " " + a.body;
                    if (a.close) {
                        connect();
                    }
                } catch (IOException e) {
                    problem = e.toString();
                    connect();
                }
                long dt = System.nanoTime() - t;
                int e = post ? 1 : 0;
                all[e].add(dt);
                if (window.contains(t)) {
                    reload[e].add(dt);
                }
                if (problem != null) {
                    errors++;
                    if (errorSamples.size() < 5) {
                        errorSamples.add(problem);
                    }
                } else {
                    byGeneration[Math.min(3, generation)]++;
                }
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
        return new Result(all, reload, errors, errorSamples, byGeneration);
    }

    private void connect() throws IOException {
        if (socket != null) {
            socket.close();
        }
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        out = socket.getOutputStream();
    }

    private byte[] get() {
        String user = ServeLoadBenchmark.label("u", rnd.nextInt(settings.users()));
        return ("GET /v1/recommend?user=" + user + "&k=10&exclude_seen=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] post() {
        int n = 10 + rnd.nextInt(91);
        StringBuilder b = new StringBuilder(40 * n).append("{\"plays\":[");
        for (int j = 0; j < n; j++) {
            b.append(j == 0 ? "" : ",")
                    .append("{\"item\":\"")
                    .append(ServeLoadBenchmark.label("t", rnd.nextInt(settings.items())))
                    .append("\",\"count\":")
                    .append(1 + rnd.nextInt(20))
                    .append('}');
        }
        b.append("],\"k\":10,\"exclude_seen\":true}");
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        byte[] head = String.format(
                        Locale.ROOT,
                        "POST /v1/recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                + "Content-Length: %d\r\n\r\n",
                        body.length)
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private record Answer(int status, String body, boolean close) {
        /** The generation the answer came from ({@code "model":{"generation":N}} at its end), or -1. */
        int generation() {
            int at = body.lastIndexOf("\"generation\":");
            if (at < 0) {
                return -1;
            }
            int end = body.indexOf('}', at);
            try {
                return Integer.parseInt(body.substring(at + 13, end));
            } catch (RuntimeException e) {
                return -1;
            }
        }
    }

    private Answer exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        String status = line();
        if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
            throw new IOException("bad status line '" + status + "'");
        }
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean close = false;
        for (String h = line(); !h.isEmpty(); h = line()) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(lower.substring(15).strip());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (length < 0 || length > 1 << 20) {
            throw new IOException("no usable Content-Length (" + length + ")");
        }
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new IOException("connection closed in the body");
        }
        return new Answer(code, new String(body, StandardCharsets.UTF_8), close);
    }

    private String line() throws IOException {
        StringBuilder b = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            if (b.length() > 8192) {
                throw new IOException("header line too long");
            }
            b.append((char) c);
        }
    }
}
