package encore.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static encore.data.CsvFixtures.HEADER;
import static encore.data.CsvFixtures.count;
import static encore.data.CsvFixtures.opts;
import static encore.data.CsvFixtures.prepare;
import static encore.data.CsvFixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListeningsReaderTest {
    @TempDir
    Path dir;

    @Test
    void countsPlaysAndIndexesByFrequencyThenLabel() throws Exception {
        // pairs: (u1,A)x2 (u1,B) (u2,A) (u2,C) (u3,B) (u3,C)x3 (u4,C) -> 7 pairs; item freq C=3 A=2 B=2; user freq
        // 2,2,2,1
        String csv = HEADER
                + "u1,1,A,x,y\n"
                + "u1,2,A,x,y\n"
                + "u1,3,B,x,y\n"
                + "u2,4,A,x,y\n"
                + "u2,5,C,x,y\n"
                + "u3,6,B,x,y\n"
                + "u3,7,C,x,y\n"
                + "u3,8,C,x,y\n"
                + "u3,9,C,x,y\n"
                + "u4,9,C,x,y\n";
        Prepared p = prepare(write(dir, "a.csv", csv));
        assertEquals(10, p.ingest().rowsRead());
        assertEquals(10, p.ingest().rowsKept());
        assertEquals(7, p.plays().pairs());
        assertEquals(10, p.plays().plays());
        // items: C in 3 pairs (u2,u3,u4) first; then A, B with 2 each, ascending
        assertArrayEquals(new String[] {"C", "A", "B"}, p.plays().items().labels());
        assertEquals(3, p.plays().items().frequency(0));
        // users: u1,u2,u3 have 2 items, u4 one -> u1,u2,u3,u4
        assertArrayEquals(
                new String[] {"u1", "u2", "u3", "u4"}, p.plays().users().labels());
        assertEquals(2, count(p, "u1", "A"));
        assertEquals(1, count(p, "u1", "B"));
        assertEquals(3, count(p, "u3", "C"));
        assertEquals(0, count(p, "u4", "A"));
        Interactions train = p.train();
        assertEquals(7, train.nnz());
        assertEquals(3f, train.userItems().get(2, 0)); // u3 x C
        assertEquals(3f, train.itemUsers().get(0, 2));
    }

    @Test
    void quotingCrlfBomAndQuotedNewlinesAreRead() throws Exception {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String body = "user_id,date,track,artist,album\r\n"
                + "u1,1,\"Hello, Goodbye\",\"The \"\"Best\"\" Band\",al\r\n"
                + "u1,2,\"Two\nLines\",a,al\n"
                + "u2,3,Caf\u00e9 \u65e5\u672c,\u00d8ye,al\r\n"
                + "\r\n"
                + "u2,4,\"Hello, Goodbye\",b,al";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(bom);
        bytes.write(body.getBytes(StandardCharsets.UTF_8));
        Prepared p = prepare(write(dir, "q.csv", bytes.toByteArray()));
        assertEquals(4, p.ingest().rowsRead());
        assertEquals(0, p.ingest().droppedTotal());
        assertEquals(1, count(p, "u1", "Hello, Goodbye"));
        assertEquals(1, count(p, "u2", "Hello, Goodbye"));
        assertEquals(1, count(p, "u1", "Two\nLines"));
        assertEquals(1, count(p, "u2", "Caf\u00e9 \u65e5\u672c"));
        Prepared byArtist =
                CsvFixtures.prepare(write(dir, "q2.csv", bytes.toByteArray()), opts().withItemKey(ItemKey.ARTIST));
        assertTrue(byArtist.plays().items().contains("The \"Best\" Band"));
        assertTrue(byArtist.plays().items().contains("\u00d8ye"));
    }

    @Test
    void valuesAreKeptExactlyAsWritten() throws Exception {
        String csv = HEADER
                + "007,1,Song,a,b\n"
                + "7,1,Song,a,b\n"
                + "7,1, Song,a,b\n"
                + "7,1,Song ,a,b\n"
                + "7,1,\" Song \",a,b\n";
        Prepared p = prepare(write(dir, "w.csv", csv));
        assertEquals(2, p.plays().users().size());
        assertTrue(p.plays().users().contains("007"));
        assertTrue(p.plays().users().contains("7"));
        assertEquals(4, p.plays().items().size());
        assertEquals(1, count(p, "7", " Song"));
        assertEquals(1, count(p, "7", "Song "));
        assertEquals(1, count(p, "7", " Song "));
    }

    @Test
    void columnsAreFoundByNameInAnyOrder() throws Exception {
        String csv = "Album, ARTIST ,extra,track,user_id\n" + "al,ar,zzz,t1,u1\n" + "al,ar,,t2,u1\n";
        Prepared p = prepare(write(dir, "o.csv", csv));
        assertEquals(2, p.plays().pairs());
        assertEquals(1, count(p, "u1", "t2"));
    }

    @Test
    void missingColumnNamesTheColumnsFound() throws Exception {
        Path f = write(dir, "m.csv", "user_id,date,track,album\nu,1,t,a\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> prepare(f));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("missing required column artist"), e.getMessage());
        assertTrue(e.getMessage().contains("user_id, date, track, album"), e.getMessage());
    }

    @Test
    void otherDelimitersAndHugeHeadersAreRefusedInOneLine() throws Exception {
        Path semi = write(dir, "semi.csv", "user_id;date;track;artist;album\nu;1;t;a;b\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> prepare(semi));
        assertTrue(e.getMessage().contains("separated by ';'"), e.getMessage());
        Path tab = write(dir, "tab.csv", "user_id\tdate\ttrack\tartist\talbum\nu\t1\tt\ta\tb\n");
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(tab))
                .getMessage()
                .contains("tab-separated"));
        StringBuilder wide = new StringBuilder("user_id,date,track,artist,album");
        for (int c = 0; c < 100_000; c++) {
            wide.append(",c").append(c);
        }
        Path w = write(dir, "wide.csv", wide + "\nu,1,t,a,b\n");
        InputFormatException we = assertThrows(InputFormatException.class, () -> prepare(w));
        assertEquals(1, we.line());
        assertTrue(we.getMessage().contains("more than " + ListeningsReader.MAX_COLUMNS + " fields"), we.getMessage());
        assertEquals(1, we.getMessage().lines().count(), we.getMessage());
    }

    @Test
    void duplicatedColumnIsRefused() throws Exception {
        Path f = write(dir, "d.csv", "user_id,track,artist,album,track\nu,t,a,b,c\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> prepare(f));
        assertEquals("track", e.field());
        assertTrue(e.getMessage().contains("columns 2 and 5"), e.getMessage());
    }

    @Test
    void emptyFileAndHeaderOnlyAreClearErrors() throws Exception {
        Path empty = write(dir, "e.csv", "");
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(empty))
                .getMessage()
                .contains("empty file"));
        Path headerOnly = write(dir, "h.csv", HEADER);
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(headerOnly))
                .getMessage()
                .contains("no usable rows: 0 data rows read"));
        Path missing = dir.resolve("nope.csv");
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(missing))
                .getMessage()
                .contains("no such file"));
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(dir))
                .getMessage()
                .contains("is a directory"));
    }

    @Test
    void dirtyRowsAreDroppedByReasonAndBadDateAloneKeepsTheRow() throws Exception {
        String csv = HEADER
                + "u1,,t,a,b\n" // empty date: kept
                + ",1,t,a,b\n" // missing user
                + "u1,1,,a,b\n" // missing track
                + "u1,1,t,\"\",b\n" // quoted empty artist
                + "u1,1,t,a\n" // missing trailing album
                + "u1,1,t\n" // missing artist and album -> counted once, as artist
                + "u1,1,t,a,b,extra\n" // too many fields: malformed
                + "u1,notadate,t,a,b\n"; // bad date: kept
        Prepared p = prepare(write(dir, "dirty.csv", csv));
        IngestStats s = p.ingest();
        assertEquals(8, s.rowsRead());
        assertEquals(1, s.dropped(DropReason.MISSING_USER_ID));
        assertEquals(1, s.dropped(DropReason.MISSING_TRACK));
        assertEquals(2, s.dropped(DropReason.MISSING_ARTIST));
        assertEquals(1, s.dropped(DropReason.MISSING_ALBUM));
        assertEquals(1, s.dropped(DropReason.TOO_MANY_FIELDS));
        assertEquals(2, s.rowsKept());
        assertEquals(2, count(p, "u1", "t"));
        assertEquals(List.of(new BadRow(8, DropReason.TOO_MANY_FIELDS, "6 fields, the header has 5")), s.badRows());
    }

    @Test
    void failPolicyStopsAtTheFirstMalformedRowWithFileAndLine() throws Exception {
        String csv = HEADER + "u1,1,t,a,b\nu1,1,\"x\ny\",a,b\nu2,1,t,a,b,c\nu3,1,t,a,b,c\n";
        Path f = write(dir, "f.csv", csv);
        InputFormatException e = assertThrows(
                InputFormatException.class, () -> CsvFixtures.prepare(f, opts().withBadRows(BadRowPolicy.FAIL)));
        assertEquals(5, e.line()); // header=1, row=2, quoted row spans 3-4, bad row on 5
        assertTrue(e.getMessage().startsWith(f + ":5: malformed row (too_many_fields"), e.getMessage());
    }

    @Test
    void invalidUtf8RowIsMalformedWithItsLine() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write((HEADER + "u1,1,ok,a,b\nu1,1,bad").getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {(byte) 0xC3, (byte) 0x28}); // invalid 2-byte sequence
        b.write(",a,b\nu2,1,\u00e9t\u00e9,a,b\nu3,1,x,a,".getBytes(StandardCharsets.UTF_8));
        b.write(new byte[] {(byte) 0xE2, (byte) 0x82}); // truncated 3-byte sequence at EOF
        Prepared p = prepare(write(dir, "u.csv", b.toByteArray()));
        IngestStats s = p.ingest();
        assertEquals(4, s.rowsRead());
        assertEquals(2, s.dropped(DropReason.INVALID_UTF8));
        assertEquals(
                new BadRow(3, DropReason.INVALID_UTF8, "in field 'track'"),
                s.badRows().get(0));
        assertEquals(
                new BadRow(5, DropReason.INVALID_UTF8, "in field 'album'"),
                s.badRows().get(1));
        assertEquals(1, count(p, "u2", "\u00e9t\u00e9"));
        assertEquals(2, p.plays().pairs());
    }

    @Test
    void unterminatedQuoteAtEndOfFileIsOneMalformedRow() throws Exception {
        String csv = HEADER + "u1,1,t,a,b\nu2,1,\"never closed,a,b\nu3,1,t,a,b\nu4,1,t,a,b\n";
        Prepared p = prepare(write(dir, "uq.csv", csv));
        IngestStats s = p.ingest();
        assertEquals(1, s.dropped(DropReason.UNTERMINATED_QUOTE));
        assertEquals(3, s.badRows().get(0).line());
        assertEquals(1, p.plays().pairs());
        Path f = dir.resolve("uq.csv");
        InputFormatException e = assertThrows(
                InputFormatException.class, () -> CsvFixtures.prepare(f, opts().withBadRows(BadRowPolicy.FAIL)));
        assertEquals(3, e.line());
    }

    @Test
    void gzipInputIsReadTransparentlyAndErrorsNameTheGzFile() throws Exception {
        String csv = HEADER + "u1,1,A,x,y\nu1,2,A,x,y\nu2,3,B,x,y\nu2,4,B,x,y,extra\n";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(csv.getBytes(StandardCharsets.UTF_8));
        }
        Path f = write(dir, "l.csv.gz", gz.toByteArray());
        Prepared p = prepare(f);
        assertEquals(4, p.ingest().rowsRead());
        assertEquals(2, count(p, "u1", "A"));
        InputFormatException e = assertThrows(
                InputFormatException.class, () -> CsvFixtures.prepare(f, opts().withBadRows(BadRowPolicy.FAIL)));
        assertTrue(e.getMessage().startsWith(f + ":5: malformed row"), e.getMessage());
        byte[] all = gz.toByteArray();
        Path cut = write(dir, "cut.csv.gz", java.util.Arrays.copyOf(all, all.length / 2));
        assertTrue(assertThrows(InputFormatException.class, () -> prepare(cut))
                .getMessage()
                .contains("truncated gzip"));
    }

    @Test
    void fewerFieldsThanHeaderAreNulls() throws Exception {
        String csv = "user_id,track,artist,album,date\nu1,t,a,b\nu1,t,a\n";
        Prepared p = prepare(write(dir, "short.csv", csv));
        assertEquals(1, p.ingest().rowsKept());
        assertEquals(1, p.ingest().dropped(DropReason.MISSING_ALBUM));
    }

    @Test
    void artistTrackKeySeparatesSameTitles() throws Exception {
        String csv = HEADER + "u1,1,Intro,A,x\nu1,1,Intro,B,y\nu2,1,Intro,A,x\n";
        Path f = write(dir, "at.csv", csv);
        assertEquals(1, prepare(f).plays().items().size());
        Prepared p = CsvFixtures.prepare(f, opts().withItemKey(ItemKey.ARTIST_TRACK));
        assertArrayEquals(
                new String[] {"A\tIntro", "B\tIntro"}, p.plays().items().labels());
        Prepared album = CsvFixtures.prepare(f, opts().withItemKey(ItemKey.ALBUM));
        assertArrayEquals(new String[] {"x", "y"}, album.plays().items().labels());
    }

    @Test
    void chunkingAndThreadsDoNotChangeAnything() throws Exception {
        // ~1.5 MB with quoted newlines and bad rows scattered, parsed as 1 chunk and as many 64 KiB chunks
        StringBuilder sb = new StringBuilder(HEADER);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        long expectedBadLine = -1;
        long line = 1;
        for (int i = 0; i < 40_000; i++) {
            int u = r.nextInt(300);
            int t = (int) Math.floor(Math.pow(r.nextDouble(), 3) * 2000);
            line++;
            if (i % 997 == 5) {
                sb.append("user")
                        .append(u)
                        .append(",1,\"multi\nline ")
                        .append(t)
                        .append("\",a,b\n");
                line++;
            } else if (i % 4999 == 17) {
                sb.append("user").append(u).append(",1,x,a,b,EXTRA\n");
                if (expectedBadLine < 0) {
                    expectedBadLine = line;
                }
            } else {
                sb.append("user").append(u).append(",1,\"t, ").append(t).append("\",a,b\n");
            }
        }
        Path f = write(dir, "big.csv", sb.toString());
        Prepared one = CsvFixtures.prepare(f, opts().withThreads(1));
        Prepared many = CsvFixtures.prepare(f, opts().withThreads(3).withChunkBytes(64 << 10));
        assertEquals(1, one.ingest().chunks());
        assertTrue(many.ingest().chunks() > 10, "chunks: " + many.ingest().chunks());
        assertEquals(one.ingest().rowsRead(), many.ingest().rowsRead());
        assertArrayEquals(one.ingest().dropped(), many.ingest().dropped());
        assertEquals(one.ingest().badRows(), many.ingest().badRows());
        assertEquals(expectedBadLine, many.ingest().badRows().get(0).line());
        assertEquals(one.plays().users(), many.plays().users());
        assertEquals(one.plays().items(), many.plays().items());
        assertArrayEquals(
                one.train().userItems().colIdx(), many.train().userItems().colIdx());
        assertArrayEquals(
                one.train().userItems().values(), many.train().userItems().values());
        Path failing = f;
        InputFormatException e = assertThrows(
                InputFormatException.class,
                () -> CsvFixtures.prepare(
                        failing, opts().withThreads(2).withChunkBytes(64 << 10).withBadRows(BadRowPolicy.FAIL)));
        assertEquals(expectedBadLine, e.line());
    }
}
