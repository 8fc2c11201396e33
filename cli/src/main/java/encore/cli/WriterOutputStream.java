package encore.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes into a {@link Writer} (the command's standard output), decoded in 64 KiB pieces: lets the library's
 * byte-streaming writers print to a picocli {@code PrintWriter} without holding the whole output. A multi-byte
 * sequence split between two writes is carried over.
 */
final class WriterOutputStream extends OutputStream {
    private final Writer out;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
    private final CharBuffer chars = CharBuffer.allocate(1 << 16);

    WriterOutputStream(Writer out) {
        this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
        if (!in.hasRemaining()) {
            drain(false);
        }
        in.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!in.hasRemaining()) {
                drain(false);
            }
            int n = Math.min(len, in.remaining());
            in.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void drain(boolean end) throws IOException {
        in.flip();
        CoderResult r;
        do {
            r = decoder.decode(in, chars, end);
            chars.flip();
            out.write(chars.array(), chars.arrayOffset() + chars.position(), chars.remaining());
            chars.clear();
        } while (r.isOverflow());
        in.compact();
    }

    /** Decodes what is buffered (keeping an incomplete trailing sequence) and flushes the writer. */
    @Override
    public void flush() throws IOException {
        drain(false);
        out.flush();
    }

    /** Decodes everything (an incomplete trailing sequence becomes U+FFFD) and flushes; the writer stays open. */
    @Override
    public void close() throws IOException {
        drain(true);
        decoder.flush(chars);
        chars.flip();
        out.write(chars.array(), 0, chars.remaining());
        chars.clear();
        out.flush();
    }
}
