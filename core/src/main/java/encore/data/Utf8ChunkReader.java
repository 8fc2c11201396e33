package encore.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * A {@link Reader} that decodes one chunk of a UTF-8 file (any {@link InputStream}: a file range, a gzip stream) for the
 * CSV parser, faster than a {@code CharsetDecoder} on mostly-ASCII data and with the bookkeeping the ingest needs:
 * <ul>
 *   <li>{@code CR LF} is delivered as {@code LF}, so CRLF, LF and mixed files parse alike;</li>
 *   <li>an invalid or truncated UTF-8 sequence becomes U+FFFD and the physical line it sits on (1-based, counted
 *       from the chunk start) is recorded, so the row that contains it can be reported as malformed rather than
 *       silently ingested with a mangled label;</li>
 *   <li>code points above U+FFFF become surrogate pairs (Java strings are UTF-16).</li>
 * </ul>
 */
final class Utf8ChunkReader extends Reader {
    /** The default window: bytes read from the source at a time, at most. */
    static final int WINDOW = 1 << 16;

    private static final char REPLACEMENT = '\uFFFD';

    private final InputStream src;
    private boolean eof;
    private final byte[] window;
    /** Bytes a refill tries to have before it stops asking the source for more. */
    private final int refillTarget;

    private int winPos;
    private int winLen;
    private int line = 1;
    /** A low surrogate still to deliver after its high half. */
    private int pendingLow = -1;

    private final IntList invalidLines = new IntList(4);

    Utf8ChunkReader(InputStream src) {
        this(src, WINDOW);
    }

    /** A reader of {@code src} through a window of {@code window} bytes (at least 8: a sequence and a CR fit). */
    Utf8ChunkReader(InputStream src, int window) {
        if (window < 8) {
            throw new IllegalArgumentException("window of " + window + " bytes, at least 8 needed");
        }
        this.src = src;
        this.window = new byte[window];
        this.refillTarget = Math.min(4096, window);
    }

    /** Lines (1-based within the chunk) that held at least one invalid UTF-8 sequence, ascending. */
    IntList invalidLines() {
        return invalidLines;
    }

    private boolean hasMore() {
        return !eof;
    }

    /** Refills the window, keeping the {@code keep} bytes from {@code winPos} (an incomplete sequence, a CR). */
    private boolean fill(int keep) throws IOException {
        if (keep > 0) {
            System.arraycopy(window, winPos, window, 0, keep);
        }
        int total = keep;
        while (!eof && total < window.length) {
            int n = src.read(window, total, window.length - total);
            if (n < 0) {
                eof = true;
            } else if (n == 0) {
                break;
            } else {
                total += n;
                if (total >= refillTarget) {
                    break;
                }
            }
        }
        winPos = 0;
        winLen = total;
        return total > keep;
    }

    private void markInvalid() {
        int size = invalidLines.size();
        if (size == 0 || invalidLines.get(size - 1) != line) {
            invalidLines.add(line);
        }
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int out = off;
        int end = off + len;
        if (pendingLow >= 0) {
            cbuf[out++] = (char) pendingLow;
            pendingLow = -1;
        }
        byte[] w = window;
        while (out < end) {
            if (winPos >= winLen && !fill(0)) {
                break;
            }
            int p = winPos;
            int lim = winLen;
            // ASCII fast path
            while (p < lim && out < end) {
                int b = w[p];
                if (b < 0) {
                    break;
                }
                if (b == '\r') {
                    if (p + 1 < lim) {
                        if (w[p + 1] == '\n') {
                            p++;
                            continue;
                        }
                    } else {
                        // CR at the window edge: look ahead after a refill
                        winPos = p;
                        if (hasMore()) {
                            fill(1);
                            p = winPos;
                            lim = winLen;
                            if (p + 1 < lim && w[p + 1] == '\n') {
                                p++;
                                continue;
                            }
                        }
                    }
                } else if (b == '\n') {
                    line++;
                }
                cbuf[out++] = (char) b;
                p++;
            }
            winPos = p;
            if (p >= lim || out >= end) {
                continue;
            }
            // multi-byte sequence at p
            int b0 = w[p] & 0xFF;
            int need = FieldBytes.continuationBytes(b0);
            if (need == 0) {
                markInvalid();
                cbuf[out++] = REPLACEMENT;
                winPos = p + 1;
                continue;
            }
            int cp = FieldBytes.leadBits(b0, need);
            int min = FieldBytes.smallestCodePoint(need);
            if (p + need >= lim && hasMore()) {
                fill(lim - p);
                p = winPos;
                lim = winLen;
            }
            int q = p + 1;
            boolean ok = true;
            for (int k = 0; k < need; k++, q++) {
                if (q >= lim || (w[q] & 0xC0) != 0x80) {
                    ok = false;
                    break;
                }
                cp = (cp << 6) | (w[q] & 0x3F);
            }
            if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                // replace the lead byte and the continuation bytes consumed so far, then resync
                markInvalid();
                cbuf[out++] = REPLACEMENT;
                winPos = Math.max(p + 1, q);
                continue;
            }
            winPos = q;
            if (cp < 0x10000) {
                cbuf[out++] = (char) cp;
            } else {
                char hi = Character.highSurrogate(cp);
                char lo = Character.lowSurrogate(cp);
                cbuf[out++] = hi;
                if (out < end) {
                    cbuf[out++] = lo;
                } else {
                    pendingLow = lo;
                }
            }
        }
        int n = out - off;
        return n == 0 ? -1 : n;
    }

    @Override
    public void close() throws IOException {
        src.close();
    }
}
