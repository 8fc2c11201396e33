package encore.serve;

import encore.als.AlsModel;
import encore.als.ServingModel;
import encore.als.io.ModelStore;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The model being served and its replacement when the file changes. The file is checked when its directory reports a
 * change (a {@link WatchService}), every poll interval (the fallback where watching is not reliable: network file
 * systems, some containers) and on {@link #reloadNow()} (SIGHUP). A changed file — another file key (inode), size or
 * modification time, as {@code encore train}'s rename gives — is loaded and warmed up on the one reload thread while
 * the old model keeps answering; then the new one is swapped in with one atomic write. A request reads
 * {@link #current()} once and finishes on that model whatever happens meanwhile. A file that fails to load is logged
 * and counted, the old model stays, and the same file (same key, size and time) is not tried again until it changes or
 * a reload is asked for.
 */
final class LiveModel implements AutoCloseable {
    /** What identifies one version of the file. */
    record FileState(Object key, FileTime modified, long size) {
        static FileState of(Path p) throws IOException {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new FileState(a.fileKey(), a.lastModifiedTime(), a.size());
        }
    }

    /**
     * One loaded model: its generation (1 for the first, +1 for each reload), when and how fast it loaded (file read
     * and index build), the file version it came from and the file's metadata.
     */
    record Served(
            ServingModel serving,
            long generation,
            Instant loadedAt,
            double loadSeconds,
            FileState file,
            Map<String, String> metadata) {
        AlsModel model() {
            return serving.model();
        }
    }

    /** The delay between a directory event and the check, so that the writes of one replacement arrive together. */
    private static final long SETTLE_MILLIS = 100;

    private final Path path;
    private final Consumer<String> log;
    private final AtomicReference<Served> current = new AtomicReference<>();
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicBoolean forced = new AtomicBoolean();
    private final ScheduledExecutorService worker;
    private final WatchService watch;
    private final Thread watcher;
    private volatile FileState lastFailed;
    private volatile boolean missingReported;

    private LiveModel(Path path, Consumer<String> log, Duration poll) throws IOException {
        this.path = path.toAbsolutePath();
        this.log = log;
        current.set(load(1, FileState.of(this.path)));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "encore-serve-reload"));
        worker.scheduleWithFixedDelay(this::check, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
        WatchService w = null;
        Thread t = null;
        try {
            w = this.path.getFileSystem().newWatchService();
            this.path
                    .getParent()
                    .register(
                            w,
                            StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
            WatchService ws = w;
            t = daemon(() -> watchLoop(ws), "encore-serve-watch");
        } catch (IOException | UnsupportedOperationException e) {
            log.accept("cannot watch " + this.path.getParent() + " (" + e.getMessage() + "): checking the model file "
                    + "every " + poll.toMillis() + " ms only");
            if (w != null) {
                w.close();
                w = null;
            }
        }
        this.watch = w;
        this.watcher = t;
        if (t != null) {
            t.start();
        }
    }

    /**
     * Loads the model file (the first generation) and starts watching it.
     *
     * @throws IOException when the file cannot be read or is not a valid model file (the message names the file)
     */
    static LiveModel open(Path path, Consumer<String> log, Duration poll) throws IOException {
        Objects.requireNonNull(path, "model");
        return new LiveModel(path, log, poll);
    }

    /** The model to answer with now. */
    Served current() {
        return current.get();
    }

    /** Successful reloads since start. */
    long reloads() {
        return reloads.get();
    }

    /** Failed reloads since start. */
    long failures() {
        return failures.get();
    }

    /** The model file. */
    Path path() {
        return path;
    }

    /** Loads the file again now, even if it looks unchanged (SIGHUP); the work happens on the reload thread. */
    void reloadNow() {
        forced.set(true);
        queue();
    }

    /** Checks the file now (on the reload thread) and reloads it if it changed. */
    void checkSoon() {
        queue();
    }

    private void queue() {
        if (queued.compareAndSet(false, true)) {
            try {
                worker.execute(this::check);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                queued.set(false);
            }
        }
    }

    private void watchLoop(WatchService ws) {
        Path name = path.getFileName();
        try {
            while (true) {
                WatchKey key = ws.take();
                boolean ours = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    ours |= e.kind() == StandardWatchEventKinds.OVERFLOW || name.equals(e.context());
                }
                if (ours) {
                    worker.schedule(this::queue, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
                }
                if (!key.reset()) {
                    log.accept("the directory of " + path + " can no longer be watched: checking every poll only");
                    return;
                }
            }
        } catch (ClosedWatchServiceException
                | InterruptedException
                | java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /** On the reload thread: load the file when it changed (or when forced). */
    private void check() {
        queued.set(false);
        boolean force = forced.getAndSet(false);
        Served cur = current.get();
        FileState now;
        try {
            now = FileState.of(path);
        } catch (IOException e) {
            if (force || !missingReported) {
                missingReported = true;
                if (force) {
                    failures.incrementAndGet();
                }
                log.accept("cannot read " + path + " (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                        + "); still serving generation " + cur.generation());
            }
            return;
        }
        missingReported = false;
        if (!force && (now.equals(cur.file()) || now.equals(lastFailed))) {
            return;
        }
        try {
            Served next = load(cur.generation() + 1, now);
            // announced before it is served: whoever sees generation N answer (or stops the server right after)
            // finds its line in the log
            log.accept(String.format(
                    java.util.Locale.ROOT,
                    "loaded %s: generation %d, %d users, %d items, rank %d, in %.2f s",
                    path,
                    next.generation(),
                    next.model().users().size(),
                    next.model().items().size(),
                    next.model().rank(),
                    next.loadSeconds()));
            current.set(next);
            lastFailed = null;
            reloads.incrementAndGet();
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            lastFailed = now;
            failures.incrementAndGet();
            log.accept("reload failed, still serving generation " + cur.generation() + ": " + message(e));
        }
    }

    private Served load(long generation, FileState state) throws IOException {
        long t0 = System.nanoTime();
        ModelStore.Stored s = ModelStore.load(path);
        ServingModel serving = new ServingModel(s.model(), s.seen(), s.seenCounts()).warmUp();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Served(serving, generation, Instant.now(), seconds, state, s.metadata());
    }

    private static String message(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "out of memory while loading (the old and the new model are both in memory during a reload: "
                    + "raise the heap)";
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Stops watching and polling (the model stays readable). */
    @Override
    public void close() {
        worker.shutdownNow();
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
