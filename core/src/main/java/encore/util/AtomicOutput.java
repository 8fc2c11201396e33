package encore.util;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * Writes a file so that readers only ever see the complete previous version or the complete new one.
 *
 * <p>Bytes go to a temporary file in the target's directory; {@link #commit()} flushes, fsyncs and renames it over
 * the target (atomically where the file system allows). {@link #close()} without a commit deletes the temporary
 * file, so an exception or an interrupted run never leaves a half-written result behind.
 *
 * <pre>{@code
 * try (AtomicOutput out = AtomicOutput.create(path)) {
 *     out.stream().write(bytes);
 *     out.commit();
 * }
 * }</pre>
 */
public final class AtomicOutput implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream stream;
    private boolean committed;
    private boolean closed;

    private AtomicOutput(Path target, Path temp, FileChannel channel, int bufferSize) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        OutputStream raw = java.nio.channels.Channels.newOutputStream(channel);
        this.stream = new BufferedOutputStream(
                new FilterOutputStream(raw) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        try {
                            out.write(b, off, len);
                        } catch (IOException e) {
                            // "No space left on device" alone does not say which file
                            throw new IOException(target + ": cannot write (" + e.getMessage() + ")", e);
                        }
                    }
                },
                bufferSize);
    }

    /** Opens a temporary file next to {@code target}, with a 1 MiB write buffer. */
    public static AtomicOutput create(Path target) throws IOException {
        return create(target, 1 << 20);
    }

    /** Opens a temporary file next to {@code target} with the given write buffer size. */
    public static AtomicOutput create(Path target, int bufferSize) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        if (Files.isDirectory(abs)) {
            throw new IOException(abs + ": is a directory, cannot write a file there");
        }
        removeStaleTemps(abs);
        Path temp;
        try {
            temp = Files.createTempFile(
                    dir, tempPrefix(abs) + ProcessHandle.current().pid() + ".", ".tmp");
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(abs.toString(), null, "cannot create files in " + dir);
        } catch (IOException e) {
            throw new IOException(abs + ": cannot create a file in " + dir + " (" + e.getMessage() + ")", e);
        }
        keepUsualPermissions(temp, abs);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        CommitPoints.at("open", abs);
        return new AtomicOutput(abs, temp, channel, bufferSize);
    }

    /**
     * Fails early, before any work, when files cannot be created in {@code dir} (or the directories to create on the
     * way): the nearest existing ancestor must be a writable directory. Creates nothing.
     */
    public static void checkWritableDirectory(Path dir) throws IOException {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return;
        }
        if (!Files.isDirectory(p)) {
            throw new FileAlreadyExistsException(p.toString(), null, "not a directory");
        }
        if (!Files.isWritable(p)) {
            throw new AccessDeniedException(p.toString(), null, "cannot create files here");
        }
    }

    private static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /**
     * Deletes temporary files of {@code target} left by a process that no longer runs (killed before it could
     * commit or clean up). Temp names carry the writer's process id: {@code .NAME.PID.RANDOM.tmp}.
     */
    static void removeStaleTemps(Path target) {
        Path dir = target.getParent();
        String prefix = tempPrefix(target);
        long self = ProcessHandle.current().pid();
        DirectoryStream.Filter<Path> ours = p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp");
        };
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ours)) {
            for (Path p : ds) {
                String rest = p.getFileName().toString().substring(prefix.length());
                int dot = rest.indexOf('.');
                long pid;
                try {
                    pid = Long.parseLong(dot < 0 ? rest : rest.substring(0, dot));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self
                        || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // being written: by this process or another live one
                }
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: a stale temp file is only wasted space
        }
    }

    /** The stream to write the new content to. Do not close it; close this object instead. */
    public OutputStream stream() {
        return stream;
    }

    /** The final path. */
    public Path target() {
        return target;
    }

    /** Flushes, fsyncs and renames the temporary file over the target. */
    public void commit() throws IOException {
        stage();
        CommitPoints.at("staged", target);
        publish();
        syncDirectory(target.getParent());
        CommitPoints.at("committed", target);
    }

    /** Flushes and fsyncs the temporary file and closes it for writing; {@link #publish()} renames it later. */
    private void stage() throws IOException {
        if (closed || committed) {
            throw new IllegalStateException("already " + (committed ? "committed" : "closed") + ": " + target);
        }
        if (channel.isOpen()) {
            try {
                stream.flush();
                channel.force(true);
            } catch (IOException e) {
                throw new IOException(target + ": cannot write (" + e.getMessage() + ")", e);
            }
            channel.close();
        }
    }

    private void publish() throws IOException {
        CommitPoints.at("rename", target);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /**
     * Commits several files of one directory as one result whose last file, {@code marker} (a report such as
     * {@code metrics.json}), says the result is complete: every file is written and fsynced first; then the old
     * marker is removed, the files are renamed over their targets, and the new marker is renamed last. An
     * interruption at any point leaves either the previous result (with its marker), or the new one (with its
     * marker), or, only inside the few renames of the commit itself, files without a marker, which no reader should
     * take for a result. Files that are not committed are deleted on {@link #close()}, as usual. (The test-only
     * {@link CommitPoints} name each of these steps.)
     */
    public static void commitAll(List<AtomicOutput> files, AtomicOutput marker) throws IOException {
        for (AtomicOutput f : files) {
            f.stage();
        }
        CommitPoints.at("data-staged", marker.target);
        marker.stage();
        CommitPoints.at("staged", marker.target);
        CommitPoints.at("unmark", marker.target);
        Files.deleteIfExists(marker.target);
        syncDirectory(marker.target.getParent());
        for (AtomicOutput f : files) {
            f.publish();
        }
        syncDirectory(marker.target.getParent());
        marker.publish();
        syncDirectory(marker.target.getParent());
        CommitPoints.at("committed", marker.target);
    }

    /**
     * Temp files are created owner-only (0600); a result file should look like any other: the permissions of the
     * file it replaces, else rw-r--r--.
     */
    private static void keepUsualPermissions(Path temp, Path target) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, perms);
    }

    private static void syncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every platform lets a directory be opened for fsync; the rename itself is still atomic.
        }
    }

    /** Discards the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!committed) {
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        try (AtomicOutput out = create(target, Math.max(8192, Math.min(bytes.length, 1 << 20)))) {
            out.stream().write(bytes);
            out.commit();
        }
    }
}
