package encore.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code metadata/} of a saved Spark ML stage (what {@code DefaultParamsWriter} writes: one text part file
 * holding one JSON object with {@code class}, {@code uid}, {@code sparkVersion}, the params and, for an
 * {@code ALSModel}, {@code rank}), read on the driver without a Spark job, checked as untrusted input.
 *
 * @param className    the saved stage's class
 * @param uid          its uid
 * @param sparkVersion the Spark version that saved it
 */
record SparkMetadata(String className, String uid, String sparkVersion) {
    /** The largest metadata file read (Spark's are a few hundred bytes). */
    static final long MAX_BYTES = 1L << 20;

    /**
     * Reads {@code dir/metadata}.
     *
     * @throws InteropFormatException when it is not one JSON object with string {@code class}, {@code uid} and
     *                                {@code sparkVersion}
     */
    static SparkMetadata read(FileSystem fs, Path dir) throws IOException {
        Path meta = new Path(dir, "metadata");
        List<Path> parts = new ArrayList<>();
        for (FileStatus f : fs.listStatus(meta)) {
            if (f.isFile() && f.getPath().getName().startsWith("part-") && f.getLen() > 0) {
                parts.add(f.getPath());
            }
        }
        if (parts.size() != 1) {
            throw new InteropFormatException(
                    meta + ": " + parts.size() + " non-empty part files; Spark ML metadata is" + " one (part-00000)");
        }
        Path part = parts.get(0);
        JsonNode root;
        try (InputStream in = fs.open(part)) {
            byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new InteropFormatException(part + ": over " + MAX_BYTES + " bytes; not Spark ML metadata");
            }
            root = new ObjectMapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InteropFormatException(
                    part + ": not Spark ML metadata (not JSON: " + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new InteropFormatException(part + ": not Spark ML metadata (not a JSON object)");
        }
        return new SparkMetadata(text(root, "class", part), text(root, "uid", part), text(root, "sparkVersion", part));
    }

    private static String text(JsonNode root, String field, Path part) throws InteropFormatException {
        JsonNode v = root.get(field);
        if (v == null || !v.isTextual()) {
            throw new InteropFormatException(part + ": not Spark ML metadata (no string field " + field + ")");
        }
        return v.textValue();
    }
}
