package encore.synth;

import encore.internal.Parallel;
import encore.util.AtomicOutput;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a synthetic Last.fm-style {@code listenings.csv} ({@code user_id,date,track,artist,album}) with planted
 * taste structure, heavy tails and a little realistic dirt, fast and byte-for-byte reproducibly.
 *
 * <p>The statistical model (catalogue, users, plays, clock, dirt) is described in {@code docs/generator.md}. Its
 * parts: {@link Catalog} (genres, artists, releases, Zipf alias tables) with {@link RowTails} (the names),
 * {@link PlayModel} (the choice of each play's track), {@link SessionClock} (the dates), {@link Dirt} (the kinds of
 * dirt and their shares) and {@link RowWriter} (the CSV bytes); this class draws the row counts and runs the chunks.
 *
 * <p>Output: UTF-8, LF line ends, the header {@value #HEADER}, rows grouped by user in user order ({@code user_000000},
 * {@code user_000001}, ...) with dates increasing within each user. Users are generated in chunks of consecutive
 * users, independently of each other (only the row counts are drawn sequentially), on a pool of
 * {@link GeneratorConfig#threads()} threads, into byte buffers that are written strictly in order: the bytes depend
 * on the configuration and the seed, never on the thread count.
 */
public final class ListeningsGenerator {
    /** The header line, without the line feed. */
    public static final String HEADER = "user_id,date,track,artist,album";

    /** Spread of the log-normal row counts: {@code n_u ∝ exp(1.15 Z_u)}. */
    static final double USER_SIGMA = 1.15;

    private static final long SALT_COUNTS = 0x636f_756e_7473_2121L;
    private static final long SALT_USER = 0x7573_6572_7321_2121L;

    private static final byte[] HEADER_BYTES = (HEADER + "\n").getBytes(StandardCharsets.UTF_8);
    private static final Dirt[] DIRT = Dirt.values();

    private final GeneratorConfig config;
    private final Catalog catalog;
    private final int[] userRows;
    /** Chunk c covers users {@code chunkStart[c] .. chunkStart[c + 1]}. */
    private final int[] chunkStart;

    private final int labelDigits;
    private final int maxRowBytes;
    private final double meanRowBytes;

    /** Prepares a generator for {@code config}: builds the catalogue and draws each user's row count. */
    public ListeningsGenerator(GeneratorConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.catalog = new Catalog(config);
        this.userRows = drawUserRows(config);
        this.labelDigits = Math.max(6, Long.toString(config.users() - 1L).length());
        int labelLen = RowWriter.USER_PREFIX.length + labelDigits;
        this.maxRowBytes = labelLen + 24 + catalog.maxTailLen;
        this.meanRowBytes = labelLen + 15 + catalog.meanTailLen;
        this.chunkStart = chunkStarts(userRows, config.rows());
    }

    /**
     * Cuts the users into chunks of consecutive users: a chunk closes at the first user that brings it to
     * {@code max(1024, min(65536, rows / 64))} rows. Returns the first user of each chunk and, last, the user count.
     */
    private static int[] chunkStarts(int[] userRows, long rows) {
        long target = Math.max(1024, Math.min(65_536, rows / 64));
        int users = userRows.length;
        int[] starts = new int[Math.max(2, (int) Math.min(users + 1L, rows / target + users / 65_536 + 2))];
        int nChunks = 0;
        long acc = 0;
        for (int u = 0; u < users; u++) {
            if (acc == 0) {
                if (nChunks + 1 >= starts.length) {
                    starts = Arrays.copyOf(starts, starts.length * 2);
                }
                starts[nChunks] = u;
            }
            acc += userRows[u];
            if (acc >= target || u == users - 1) {
                nChunks++;
                acc = 0;
            }
        }
        starts[nChunks] = users;
        return Arrays.copyOf(starts, nChunks + 1);
    }

    /** The configuration this generator writes. */
    public GeneratorConfig config() {
        return config;
    }

    /** Number of users. */
    public int users() {
        return config.users();
    }

    /** Catalogue size in tracks. */
    public int tracks() {
        return catalog.tracks;
    }

    /** Number of artists in the catalogue. */
    public int artists() {
        return catalog.artists;
    }

    /** Number of albums in the catalogue (derived from the track and artist counts). */
    public int albums() {
        return catalog.albums;
    }

    /** Rows of user {@code user} in the file (dirty rows included). */
    public int rowsOfUser(int user) {
        return userRows[Objects.checkIndex(user, userRows.length)];
    }

    /** The user_id of user {@code user}: {@code "user_"} and the index, zero-padded to six digits. */
    public String userLabel(int user) {
        Objects.checkIndex(user, config.users());
        byte[] b = new byte[RowWriter.USER_PREFIX.length + labelDigits];
        return new String(b, 0, RowWriter.writeLabel(user, labelDigits, b), StandardCharsets.US_ASCII);
    }

    /** The title of {@code track}, exactly as the field reads after CSV unquoting. */
    public String trackTitle(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 0);
    }

    /** The artist of {@code track}, exactly as the field reads after CSV unquoting. */
    public String artistName(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 1);
    }

    /** The album of {@code track}, exactly as the field reads after CSV unquoting. */
    public String albumName(int track) {
        return catalog.field(Objects.checkIndex(track, catalog.tracks), 2);
    }

    /** The artist index of {@code track}. */
    public int artistOfTrack(int track) {
        return catalog.trackArtist[Objects.checkIndex(track, catalog.tracks)];
    }

    /** The album index of {@code track}. */
    public int albumOfTrack(int track) {
        return catalog.trackAlbum[Objects.checkIndex(track, catalog.tracks)];
    }

    /** The latent genre of {@code track} (its artist's genre), in {@code [0, genres)}. */
    public int genreOfTrack(int track) {
        return catalog.genreOfTrack(Objects.checkIndex(track, catalog.tracks));
    }

    /**
     * User {@code user}'s taste mixture {@code θ_u} over the genres (sums to 1); fresh plays draw their genre from it.
     */
    public double[] genreMixture(int user) {
        Objects.checkIndex(user, config.users());
        int g = catalog.genres;
        int[] gs = new int[3];
        double[] cum = new double[3];
        int k = PlayModel.drawTaste(catalog, userRng(user), gs, cum);
        double[] m = new double[g];
        Arrays.fill(m, PlayModel.BACKGROUND / g);
        double prev = 0;
        for (int j = 0; j < k; j++) {
            m[gs[j]] += (1 - PlayModel.BACKGROUND) * (cum[j] - prev);
            prev = cum[j];
        }
        return m;
    }

    /** Writes the CSV atomically to {@code out}: readers see the old file or the complete new one. */
    public GeneratorSummary write(Path out) throws IOException {
        long t0 = System.nanoTime();
        GeneratorSummary s;
        try (AtomicOutput ao = AtomicOutput.create(out)) {
            s = write(ao.stream(), null);
            ao.commit();
        }
        return new GeneratorSummary(s.rows(), s.validPlays(), s.bytes(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Writes the CSV to {@code out} (flushed, not closed). If {@code observer} is not null it is called once per data
     * row, in file order, on the calling thread.
     */
    public GeneratorSummary write(OutputStream out, PlayObserver observer) throws IOException {
        Objects.requireNonNull(out, "out");
        long t0 = System.nanoTime();
        out.write(HEADER_BYTES);
        long bytes = HEADER_BYTES.length;
        long rows = 0;
        long valid = 0;
        int nChunks = chunkStart.length - 1;
        boolean observe = observer != null;
        ConcurrentLinkedQueue<byte[]> free = new ConcurrentLinkedQueue<>();
        int threads = Math.max(1, Math.min(config.threads(), nChunks));
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        ArrayDeque<Future<Chunk>> inFlight = new ArrayDeque<>();
        try {
            int next = 0;
            int window = 2 * threads + 1;
            while (next < nChunks || !inFlight.isEmpty()) {
                while (next < nChunks && inFlight.size() < window) {
                    int c = next++;
                    inFlight.add(pool.submit(() -> generateChunk(c, observe, free)));
                }
                Chunk ch = Parallel.await(inFlight.poll(), "interrupted while generating listenings");
                out.write(ch.buf, 0, ch.len);
                bytes += ch.len;
                rows += ch.rows;
                valid += ch.valid;
                ch.replay(observer);
                free.offer(ch.buf);
            }
        } finally {
            for (Future<Chunk> f : inFlight) {
                f.cancel(true);
            }
            pool.shutdownNow();
        }
        out.flush();
        if (rows != config.rows()) {
            throw new IllegalStateException("internal error: wrote " + rows + " rows, expected " + config.rows());
        }
        return new GeneratorSummary(rows, valid, bytes, (System.nanoTime() - t0) / 1e9);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "encore-synth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Row counts

    /** Log-normal row counts, normalised to sum exactly to {@code rows}, at least one per user. */
    private static int[] drawUserRows(GeneratorConfig c) {
        int users = c.users();
        long rows = c.rows();
        SplitMix r = SplitMix.stream(c.seed(), SALT_COUNTS, 0);
        double[] w = new double[users];
        double sum = 0;
        for (int u = 0; u < users; u++) {
            w[u] = DMath.exp(USER_SIGMA * Math.max(-5.0, Math.min(5.0, r.nextGaussian())));
            sum += w[u];
        }
        int[] n = new int[users];
        long extra = rows - users; // every user gets one row, the rest is shared by weight
        long total = 0;
        for (int u = 0; u < users; u++) {
            long k = 1 + (long) Math.floor(extra * (w[u] / sum));
            n[u] = (int) Math.min(Integer.MAX_VALUE - 1024, k);
            total += n[u];
        }
        // Floors leave a remainder below `users`; hand it out one row at a time from a seeded starting point.
        int u = r.nextInt(users);
        while (total < rows) {
            n[u]++;
            total++;
            u = u + 1 == users ? 0 : u + 1;
        }
        while (total > rows) { // unreachable with the floor above, kept as a guard
            if (n[u] > 1) {
                n[u]--;
                total--;
            }
            u = u + 1 == users ? 0 : u + 1;
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Per-user generation

    private SplitMix userRng(int user) {
        return SplitMix.stream(config.seed(), SALT_USER, user);
    }

    /** One chunk of consecutive users, rendered, with the observer's view of its rows when one is wanted. */
    private static final class Chunk {
        byte[] buf;
        int len;
        int rows;
        long valid;
        int[] obsUser;
        int[] obsTrack;
        boolean[] obsValid;

        /** Counts the next row, generated for {@code user} from {@code track}, and records it for the observer. */
        void add(int user, int track, boolean validPlay) {
            if (validPlay) {
                valid++;
            }
            if (obsUser != null) {
                obsUser[rows] = user;
                obsTrack[rows] = track;
                obsValid[rows] = validPlay;
            }
            rows++;
        }

        void replay(PlayObserver observer) {
            if (observer == null) {
                return;
            }
            for (int i = 0; i < rows; i++) {
                observer.onRow(obsUser[i], obsTrack[i], obsValid[i]);
            }
        }
    }

    private Chunk generateChunk(int c, boolean observe, ConcurrentLinkedQueue<byte[]> free) {
        int from = chunkStart[c];
        int to = chunkStart[c + 1];
        long rowsInChunk = 0;
        int maxUser = 1;
        for (int u = from; u < to; u++) {
            rowsInChunk += userRows[u];
            maxUser = Math.max(maxUser, userRows[u]);
        }
        long estimate = (long) (rowsInChunk * meanRowBytes * 1.1) + 4L * maxRowBytes;
        int want = (int) Math.min(Integer.MAX_VALUE - 16, estimate);
        byte[] buf = free.poll();
        if (buf == null || buf.length < want) {
            buf = new byte[want];
        }
        Chunk ch = new Chunk();
        if (observe) {
            ch.obsUser = new int[(int) rowsInChunk];
            ch.obsTrack = new int[(int) rowsInChunk];
            ch.obsValid = new boolean[(int) rowsInChunk];
        }
        RowWriter out = new RowWriter(catalog, buf, labelDigits, maxRowBytes);
        UserRows rows = new UserRows(maxUser);
        PlayModel plays = new PlayModel(catalog, maxUser, config.dirtRate());
        for (int u = from; u < to; u++) {
            decideUser(u, ch, plays, rows);
            out.writeUser(u, userRows[u], rows.dirt, rows.tracks, rows.times);
        }
        ch.buf = out.buf();
        ch.len = out.length();
        return ch;
    }

    /** One user's rows as decided, before they are rendered: per-chunk scratch arrays of the longest user's size. */
    private static final class UserRows {
        final long[] times;
        /** The {@link Dirt} ordinal of each row. */
        final byte[] dirt;

        final int[] tracks;

        UserRows(int maxRows) {
            times = new long[maxRows];
            dirt = new byte[maxRows];
            tracks = new int[maxRows];
        }
    }

    /**
     * Decides the rows of user {@code u} into {@code rows} and counts them into the chunk. The draws on the user's
     * stream, in order: the play model's user parameters, the clock, then per row the dirt and (unless the row is a
     * duplicate) the play's track.
     */
    private void decideUser(int u, Chunk ch, PlayModel plays, UserRows rows) {
        int n = userRows[u];
        SplitMix r = userRng(u);
        plays.startUser(r);
        SessionClock.fillTimes(r, n, rows.times);
        plays.playRows(r, n, rows.dirt, rows.tracks);
        boolean prevValid = false;
        for (int i = 0; i < n; i++) {
            Dirt d = DIRT[rows.dirt[i]];
            boolean valid = d == Dirt.DUPLICATE ? prevValid : d.validPlay;
            ch.add(u, rows.tracks[i], valid);
            prevValid = valid;
        }
    }
}
