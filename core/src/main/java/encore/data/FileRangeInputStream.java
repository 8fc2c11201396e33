package encore.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Reads the byte range [start, end) of a shared {@link FileChannel} with positional reads (thread-safe). */
final class FileRangeInputStream extends InputStream {
    private final FileChannel channel;
    private long pos;
    private final long end;

    FileRangeInputStream(FileChannel channel, long start, long end) {
        this.channel = channel;
        this.pos = start;
        this.end = end;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
            return -1;
        }
        int want = (int) Math.min(len, end - pos);
        int n = channel.read(ByteBuffer.wrap(b, off, want), pos);
        if (n < 0) {
            // the file shrank while being read
            throw new IOException("file ended early at byte " + pos + " (expected " + end
                    + " bytes); was it truncated while being read?");
        }
        pos += n;
        return n;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public void close() {
        // the channel is owned by the caller
    }
}
