package encore.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several output files of one directory committed as one result, with a marker file (a report such as
 * {@code metrics.json}) written and renamed last: see {@link AtomicOutput#commitAll} for what an interruption leaves.
 * <pre>
 * try (AtomicFileSet set = new AtomicFileSet()) {
 *     write(set.open(dir.resolve("users.csv")));
 *     …
 *     set.commitWithMarker(dir.resolve("prepare.json"), reportBytes);
 * }
 * </pre>
 * Files not committed are deleted on {@link #close()}.
 */
public final class AtomicFileSet implements AutoCloseable {
    private final List<AtomicOutput> files = new ArrayList<>();

    /** Opens an uncommitted atomic output for {@code file} in this set and returns its (buffered) stream. */
    public OutputStream open(Path file) throws IOException {
        AtomicOutput out = AtomicOutput.create(file);
        files.add(out);
        return out.stream();
    }

    /** Writes the marker, then commits every file of the set and the marker last. */
    public void commitWithMarker(Path marker, byte[] content) throws IOException {
        List<AtomicOutput> data = List.copyOf(files);
        open(marker).write(content);
        AtomicOutput.commitAll(data, files.get(files.size() - 1));
    }

    /** Deletes the temporary files of everything not committed. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (AtomicOutput f : files) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
