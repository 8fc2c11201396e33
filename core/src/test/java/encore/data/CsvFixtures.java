package encore.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small CSV files for tests. */
final class CsvFixtures {
    static final String HEADER = "user_id,date,track,artist,album\n";

    private CsvFixtures() {}

    static Path write(Path dir, String name, String content) throws IOException {
        return write(dir, name, content.getBytes(StandardCharsets.UTF_8));
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static IngestOptions opts() {
        return new IngestOptions(ItemKey.TRACK, BadRowPolicy.SKIP, 1, IngestOptions.DEFAULT_CHUNK_BYTES);
    }

    static Prepared prepare(Path file) throws IOException {
        return Prepare.run(file, new PrepareOptions(opts(), -1, SplitSpec.none()));
    }

    static Prepared prepare(Path file, IngestOptions o) throws IOException {
        return Prepare.run(file, new PrepareOptions(o, -1, SplitSpec.none()));
    }

    /** The count of (user label, item label) in prepared plays, or 0. */
    static int count(Prepared p, String user, String item) {
        IndexedPlays plays = p.plays();
        int u = plays.users().indexOf(user);
        int i = plays.items().indexOf(item);
        if (u == plays.users().size() || i == plays.items().size()) {
            return 0;
        }
        return plays.count(u, i);
    }
}
