package encore.als.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32C;

import static encore.als.io.ModelFormat.CRC_BYTES;
import static encore.als.io.ModelFormat.HEADER_BYTES;
import static encore.als.io.ModelFormat.MAGIC;
import static encore.als.io.ModelFormat.MAX_ARRAY;
import static encore.als.io.ModelFormat.SECTION_HEADER_BYTES;
import static encore.als.io.ModelFormat.num;

/**
 * The byte-level framing of a model file, in the manner of Lucene's {@code CodecUtil}: the file header (magic,
 * version, flags) and sections ({@code u32 id, u64 length, payload, u32 CRC32C}, the CRC over the 12 id and length
 * bytes followed by the payload, so a corrupted header cannot turn a section into a skippable one or move the section
 * boundaries). Both sides stream through one 1 MiB buffer and convert float and int arrays in bulk, so factors move at
 * close to disk or page-cache speed without holding raw bytes and arrays at once. Nothing here knows what a payload
 * means.
 */
final class Sections {
    /** The staging buffer size; a multiple of 4, so floats and ints never straddle chunks. */
    static final int CHUNK = 1 << 20;

    private Sections() {}

    /** One section as found in a file: its payload starts at {@code payloadPos}, its CRC follows the payload. */
    record Section(int id, long length, long payloadPos, String name) {
        /** Where the next section starts. */
        long end() {
            return payloadPos + length + CRC_BYTES;
        }
    }

    /** Receives a section's payload chunk by chunk (position 0, limit = chunk size, little-endian). */
    interface ChunkSink {
        void accept(ByteBuffer chunk);
    }

    /** Discards the payload (its CRC is still checked). */
    static final ChunkSink SKIP = chunk -> {};

    /** Fills {@code dst} in order; chunks hold whole floats because chunk sizes and lengths are multiples of 4. */
    static ChunkSink floats(float[] dst) {
        int[] at = {0};
        return chunk -> {
            int n = chunk.remaining() / 4;
            chunk.asFloatBuffer().get(dst, at[0], n);
            at[0] += n;
        };
    }

    /** Fills the int arrays one after another. */
    static ChunkSink ints(int[]... dst) {
        int[] state = {0, 0}; // array, offset in it
        return chunk -> {
            IntBuffer ib = chunk.asIntBuffer();
            while (ib.hasRemaining()) {
                while (state[1] == dst[state[0]].length) {
                    state[0]++;
                    state[1] = 0;
                }
                int[] t = dst[state[0]];
                int n = Math.min(ib.remaining(), t.length - state[1]);
                ib.get(t, state[1], n);
                state[1] += n;
            }
        };
    }

    /** Writes the header and sections; each section's values are staged in a 1 MiB buffer that feeds its CRC. */
    static final class Writer {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private long declared;
        private long written;
        private boolean open;

        Writer(OutputStream out) {
            this.out = out;
        }

        /** The 16-byte file header: magic, {@code version}, no flags. */
        void fileHeader(int version) throws IOException {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put(MAGIC).putInt(version).putInt(0);
            out.write(h.array());
        }

        /** Starts section {@code id} whose payload will be exactly {@code length} bytes. */
        void begin(int id, long length) throws IOException {
            if (open) {
                throw new IllegalStateException("section not ended");
            }
            drain();
            crc.reset();
            buf.putInt(id).putLong(length);
            declared = length;
            written = 0;
            open = true;
        }

        /** Ends the section: checks its declared length and writes its CRC. */
        void end() throws IOException {
            drain();
            if (written != declared) {
                throw new IllegalStateException("section declared " + declared + " bytes, wrote " + written);
            }
            int c = (int) crc.getValue();
            out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24)});
            open = false;
        }

        /** Flushes the stream (the caller commits the file). */
        void flush() throws IOException {
            out.flush();
        }

        private void drain() throws IOException {
            if (buf.position() > 0) {
                crc.update(buf.array(), 0, buf.position());
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
        }

        private void ensure(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        void putByte(int v) throws IOException {
            ensure(1);
            buf.put((byte) v);
            written += 1;
        }

        void putInt(int v) throws IOException {
            ensure(4);
            buf.putInt(v);
            written += 4;
        }

        void putLong(long v) throws IOException {
            ensure(8);
            buf.putLong(v);
            written += 8;
        }

        void putBytes(byte[] b) throws IOException {
            if (b.length > buf.remaining()) {
                drain();
            }
            if (b.length > buf.remaining()) {
                crc.update(b, 0, b.length);
                out.write(b);
            } else {
                buf.put(b);
            }
            written += b.length;
        }

        void putFloats(float[] a) throws IOException {
            for (int off = 0; off < a.length; ) {
                ensure(4);
                int n = Math.min(a.length - off, buf.remaining() / 4);
                buf.asFloatBuffer().put(a, off, n);
                buf.position(buf.position() + 4 * n);
                off += n;
            }
            written += 4L * a.length;
        }

        void putInts(int[] a) throws IOException {
            for (int off = 0; off < a.length; ) {
                ensure(4);
                int n = Math.min(a.length - off, buf.remaining() / 4);
                buf.asIntBuffer().put(a, off, n);
                buf.position(buf.position() + 4 * n);
                off += n;
            }
            written += 4L * a.length;
        }
    }

    /**
     * Reads the header and sections of a file that is untrusted: every declared length is checked against the bytes
     * that are left before anything is allocated or read, and every payload is checked against its CRC.
     */
    static final class Reader {
        private final Path file;
        private final FileChannel ch;
        private final long size;
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer header =
                ByteBuffer.allocate(SECTION_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        private ByteBuffer chunk;
        private long pos = HEADER_BYTES;

        Reader(Path file, FileChannel ch) throws IOException {
            this.file = file;
            this.ch = ch;
            this.size = ch.size();
        }

        ModelFormatException error(String problem) {
            return new ModelFormatException(file, problem);
        }

        ModelFormatException error(Section s, String problem) {
            return new ModelFormatException(file, "section '" + s.name() + "': " + problem);
        }

        /**
         * A problem found before the section's CRC was checked: if the CRC does not match, the section is corrupted
         * and that is reported instead.
         */
        ModelFormatException corrupt(Section s, String problem) throws IOException {
            stream(s, SKIP);
            return error(s, problem);
        }

        /**
         * Checks the magic, the version (in {@code [oldest, newest]}) and the flags (none are defined).
         *
         * @return the file's format version
         */
        int fileHeader(int oldest, int newest) throws IOException {
            if (size == 0) {
                throw error("empty file (0 bytes), not an Encore model");
            }
            ByteBuffer h =
                    ByteBuffer.allocate((int) Math.min(HEADER_BYTES, size)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(h, 0, "header");
            for (int i = 0; i < Math.min(MAGIC.length, h.limit()); i++) {
                if (h.get(i) != MAGIC[i]) {
                    throw error("not an Encore model (bad magic)");
                }
            }
            if (size < HEADER_BYTES) {
                throw error("truncated in header (expected " + HEADER_BYTES + " bytes, found " + size + ")");
            }
            int version = h.getInt(8);
            if (Integer.compareUnsigned(version, newest) > 0) {
                String reads = oldest == newest ? Integer.toString(newest) : oldest + " to " + newest;
                throw error("format version " + Integer.toUnsignedString(version) + " is newer than this Encore (reads "
                        + reads + ")");
            }
            if (version < oldest) {
                throw error("invalid format version " + version);
            }
            int flags = h.getInt(12);
            if (flags != 0) {
                throw error(String.format(
                        Locale.ROOT,
                        "unsupported header flags 0x%08x (format version %d defines " + "none)",
                        flags,
                        version));
            }
            return version;
        }

        /** The next section's header, its length checked against the rest of the file; the payload is not read. */
        Section next() throws IOException {
            long avail = size - pos;
            if (avail < SECTION_HEADER_BYTES) {
                throw error(
                        avail == 0
                                ? "truncated: the file ends at offset " + num(pos) + " without an end marker"
                                : "truncated in a section header at offset " + num(pos) + " (expected "
                                        + SECTION_HEADER_BYTES + " bytes, found " + avail + ")");
            }
            header.clear();
            readFully(header, pos, "a section header");
            int id = header.getInt(0);
            long length = header.getLong(4);
            String name = ModelFormat.sectionName(id);
            long room = avail - SECTION_HEADER_BYTES;
            if (length < 0 || length > room - CRC_BYTES) {
                String want = length < 0 ? Long.toUnsignedString(length) + " + " + CRC_BYTES : num(length + CRC_BYTES);
                throw error(
                        "truncated in section '" + name + "' (expected " + want + " bytes, found " + num(room) + ")");
            }
            Section s = new Section(id, length, pos + SECTION_HEADER_BYTES, name);
            pos = s.end();
            return s;
        }

        /** Fails unless section {@code s} ends the file. */
        void requireLast(Section s) throws ModelFormatException {
            if (s.end() != size) {
                throw error(num(size - s.end()) + " unexpected bytes after the " + s.name());
            }
        }

        /** Streams the payload through {@code sink} chunk by chunk, then checks the CRC. */
        void stream(Section s, ChunkSink sink) throws IOException {
            if (chunk == null) {
                // small files get a small buffer
                int cap = (int) Math.min(CHUNK, (size + 3) & ~3L);
                chunk = ByteBuffer.allocateDirect(Math.max(cap, 4)).order(ByteOrder.LITTLE_ENDIAN);
            }
            crc.reset();
            crc.update(
                    ByteBuffer.allocate(SECTION_HEADER_BYTES)
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .putInt(s.id())
                            .putLong(s.length())
                            .array(),
                    0,
                    SECTION_HEADER_BYTES);
            long at = s.payloadPos();
            long left = s.length();
            while (left > 0) {
                int n = (int) Math.min(chunk.capacity(), left);
                chunk.clear().limit(n);
                readFully(chunk, at, "section '" + s.name() + "'");
                chunk.flip();
                crc.update(chunk);
                chunk.rewind();
                sink.accept(chunk);
                at += n;
                left -= n;
            }
            ByteBuffer c = ByteBuffer.allocate(CRC_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(c, s.payloadPos() + s.length(), "section '" + s.name() + "'");
            if (c.getInt(0) != (int) crc.getValue()) {
                throw error("checksum mismatch in section '" + s.name() + "' (file corrupted)");
            }
        }

        /**
         * The whole payload in a heap buffer (position 0, little-endian), CRC checked. For sections whose size is
         * bounded by the file size or smaller.
         */
        ByteBuffer readAll(Section s) throws IOException {
            if (s.length() > MAX_ARRAY) {
                throw corrupt(s, "section of " + num(s.length()) + " bytes is too large to read");
            }
            // through the direct chunk buffer: reading a large heap buffer directly would make the JDK allocate a
            // temporary direct buffer of the same size
            byte[] a = new byte[(int) s.length()];
            int[] at = {0};
            stream(s, chunk -> {
                int n = chunk.remaining();
                chunk.get(a, at[0], n);
                at[0] += n;
            });
            return ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * A non-negative u32 count or length read from a payload, which must fit in the bytes that remain in
         * {@code b} at {@code bytesEach} bytes per unit: a count is never trusted beyond the bytes that hold it.
         */
        int count(ByteBuffer b, Section s, String what, int bytesEach) throws ModelFormatException {
            if (b.remaining() < 4) {
                throw error(s, "ends inside " + what);
            }
            int v = b.getInt();
            if (v < 0 || (long) v * bytesEach > b.remaining()) {
                throw error(
                        s,
                        what + " " + num(Integer.toUnsignedLong(v)) + " does not fit in the " + num(b.remaining())
                                + " bytes that remain");
            }
            return v;
        }

        /** The first {@code n ≤ length} payload bytes, not CRC checked (to size arrays before streaming). */
        ByteBuffer peek(Section s, int n) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            readFully(b, s.payloadPos(), "section '" + s.name() + "'");
            return b;
        }

        private void readFully(ByteBuffer dst, long at, String where) throws IOException {
            while (dst.hasRemaining()) {
                int n = ch.read(dst, at);
                if (n < 0) {
                    throw error("truncated in " + where + " (the file shrank while being read)");
                }
                at += n;
            }
        }
    }
}
