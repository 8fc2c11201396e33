package encore.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs {@code task(0 .. n-1)} on a short-lived pool of daemon threads. Failures are rethrown on the caller's thread
 * (the first one in index order, unwrapped); the other tasks are cancelled. With one thread or one task everything
 * runs on the caller's thread.
 */
public final class Parallel {
    private Parallel() {}

    /** A task indexed by its position. */
    @FunctionalInterface
    public interface IndexedTask {
        /** Runs task number {@code index}. */
        void run(int index) throws IOException;
    }

    /** Runs tasks {@code 0..n-1} on up to {@code threads} threads. */
    public static void forEach(int threads, int n, IndexedTask task) throws IOException {
        if (threads <= 1 || n <= 1) {
            for (int i = 0; i < n; i++) {
                task.run(i);
            }
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, n), r -> {
            Thread t = new Thread(r, "encore-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int idx = i;
                futures.add(pool.submit(() -> {
                    task.run(idx);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    await(f, "interrupted");
                } catch (IOException | RuntimeException | Error e) {
                    for (Future<?> other : futures) {
                        other.cancel(true);
                    }
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The result of {@code f}, with the task's own exception rethrown as it was (an {@link IOException}, an unchecked
     * exception or an error; anything else wrapped in an IOException). An interrupt while waiting restores the
     * interrupt flag and becomes an {@link java.io.InterruptedIOException} with {@code whileDoing} as its message.
     */
    public static <T> T await(Future<T> f, String whileDoing) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(whileDoing);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /** {@link #forEach} for tasks that do no I/O: an {@link IOException} cannot happen and is rethrown unchecked. */
    public static void forEachUnchecked(int threads, int n, IndexedTask task) {
        try {
            forEach(threads, n, task);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
