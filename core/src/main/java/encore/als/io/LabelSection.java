package encore.als.io;

import encore.als.io.Sections.Section;
import encore.data.LabelIndex;
import encore.internal.Parallel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

import static encore.als.io.ModelFormat.num;

/**
 * The {@code user labels} and {@code item labels} sections: u32 count {@code n}, i32 frequency[n] (each ≥ 0), then
 * {@code n} × (u32 byte length, UTF-8 label bytes), in index order; labels unique and valid UTF-8.
 *
 * <p>Reading checks the structure (count, frequencies, length prefixes) at once. Sections of at least
 * {@value #PARALLEL_LABELS} labels are decoded on all cores, and their {@link LabelIndex} (whose construction hashes
 * every label, and rejects a duplicate) is built on a background thread while the factor sections stream in.
 */
final class LabelSection {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Label sections with at least this many labels are decoded in parallel and indexed in the background. */
    static final int PARALLEL_LABELS = 1 << 15;

    private LabelSection() {}

    /** Labels as UTF-8 byte arrays, checked to be valid Unicode, with their frequencies. */
    record Encoded(byte[][] bytes, int[] frequencies, long payload) {
        /**
         * @throws IllegalArgumentException when a label is not valid Unicode or a frequency is negative
         */
        static Encoded of(LabelIndex index, String kind) {
            int n = index.size();
            byte[][] bytes = new byte[n][];
            int[] freq = new int[n];
            long payload = 4 + 4L * n;
            for (int i = 0; i < n; i++) {
                bytes[i] = Utf8.encode(index.label(i), kind + " label " + i);
                freq[i] = index.frequency(i);
                if (freq[i] < 0) {
                    throw new IllegalArgumentException(kind + " label " + i + " has negative frequency " + freq[i]);
                }
                payload += 4 + bytes[i].length;
            }
            return new Encoded(bytes, freq, payload);
        }

        int count() {
            return bytes.length;
        }

        void write(Sections.Writer w, int id) throws IOException {
            w.begin(id, payload);
            w.putInt(bytes.length);
            w.putInts(frequencies);
            for (byte[] b : bytes) {
                w.putInt(b.length);
                w.putBytes(b);
            }
            w.end();
        }
    }

    /** A label section's size, and its index, which may still be under construction on another thread. */
    record Pending(int count, Future<LabelIndex> index) {
        LabelIndex await() throws IOException {
            return Parallel.await(index, "interrupted while indexing model labels");
        }
    }

    /** Reads section {@code s}; problems found by the background indexing surface from {@link Pending#await}. */
    static Pending read(Sections.Reader in, Section s) throws IOException {
        ByteBuffer b = in.readAll(s);
        int n = in.count(b, s, "label count", 8);
        int[] freq = new int[n];
        b.asIntBuffer().get(freq);
        b.position(b.position() + 4 * n);
        for (int i = 0; i < n; i++) {
            if (freq[i] < 0) {
                throw in.error(s, "label " + i + " has negative frequency " + freq[i]);
            }
        }
        int[] start = starts(in, s, b, n);
        String[] labels = decode(in, s, b, start);
        FutureTask<LabelIndex> index = new FutureTask<>(() -> {
            try {
                return LabelIndex.ofOrdered(labels, freq); // rejects any duplicate, adjacent or not
            } catch (IllegalArgumentException e) {
                throw in.error(s, e.getMessage());
            }
        });
        if (parallel(n)) {
            Thread t = new Thread(index, "encore-model-labels");
            t.setDaemon(true);
            t.start();
        } else {
            index.run();
        }
        return new Pending(n, index);
    }

    private static boolean parallel(int n) {
        return n >= PARALLEL_LABELS && CORES > 1;
    }

    /** Where each label's bytes begin (its length is the u32 just before), every length checked to fit. */
    private static int[] starts(Sections.Reader in, Section s, ByteBuffer b, int n) throws ModelFormatException {
        int[] start = new int[n];
        int p = b.position();
        int end = b.limit();
        for (int i = 0; i < n; i++) {
            if (end - p < 4) {
                throw in.error(s, "ends inside the length of label " + i);
            }
            int len = b.getInt(p);
            p += 4;
            if (len < 0 || len > end - p) {
                throw in.error(
                        s,
                        "label " + i + " of " + num(Integer.toUnsignedLong(len)) + " bytes does not fit in the "
                                + num(end - p) + " bytes that remain");
            }
            start[i] = p;
            p += len;
        }
        if (p != end) {
            throw in.error(s, num(end - p) + " unexpected bytes after the last label");
        }
        return start;
    }

    /** Strict UTF-8 decoding of every label; on all cores for large sections. */
    private static String[] decode(Sections.Reader in, Section s, ByteBuffer b, int[] start) throws IOException {
        int n = start.length;
        String[] labels = new String[n];
        byte[] a = b.array();
        boolean parallel = parallel(n);
        int parts = parallel ? Math.min(CORES * 4, n / (PARALLEL_LABELS / 8)) : 1;
        Parallel.forEach(parallel ? CORES : 1, parts, part -> {
            int from = (int) ((long) n * part / parts);
            int to = (int) ((long) n * (part + 1) / parts);
            for (int i = from; i < to; i++) {
                labels[i] = Utf8.decode(a, start[i], b.getInt(start[i] - 4));
                if (labels[i] == null) {
                    throw in.error(s, "label " + i + " is not valid UTF-8");
                }
            }
        });
        return labels;
    }
}
