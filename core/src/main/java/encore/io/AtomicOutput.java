package encore.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
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
        this.stream = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), bufferSize);
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
        Path temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        keepUsualPermissions(temp, abs);
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        return new AtomicOutput(abs, temp, channel, bufferSize);
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
        if (closed || committed) {
            throw new IllegalStateException("already " + (committed ? "committed" : "closed") + ": " + target);
        }
        stream.flush();
        channel.force(true);
        channel.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
        syncDirectory(target.getParent());
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
