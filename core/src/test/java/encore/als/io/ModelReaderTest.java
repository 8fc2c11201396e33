package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelFiles.Sec;
import encore.data.LabelIndex;
import encore.matrix.Csr;
import encore.matrix.Factors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

import static encore.als.io.ModelFiles.assertContains;
import static encore.als.io.ModelFiles.encodeSection;
import static encore.als.io.ModelFiles.fixCrc;
import static encore.als.io.ModelFiles.replace;
import static encore.als.io.ModelFiles.section;
import static encore.als.io.ModelFiles.sections;
import static encore.als.io.ModelFiles.splice;
import static encore.als.io.RandomModels.assertModelEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelReader} on damaged and foreign files, in every format version it reads: flipped bits and bytes,
 * truncation anywhere, bad magic, newer versions, absurd lengths, CRC-valid but inconsistent content, misplaced
 * sections; each is rejected with a {@link ModelFormatException} that names the file and what is wrong. The
 * params section, whose layout differs between versions, is {@link ParamsSectionTest}'s.
 */
class ModelReaderTest {
    @TempDir
    Path dir;

    private ModelFiles files;

    static IntStream versions() {
        return Arrays.stream(ModelFiles.VERSIONS);
    }

    @BeforeEach
    void files() {
        files = new ModelFiles(dir);
    }

    // ------------------------------------------------------------------------------------------- corruption

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void everySingleBitFlipIsDetected(int version) throws IOException {
        byte[] good = files.sample(11, 12, 17, 3, version);
        for (int p = 0; p < good.length; p++) {
            byte[] bad = good.clone();
            bad[p] ^= (byte) (1 << (p % 8));
            files.rejected(bad);
        }
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void everyNinetySeventhByteInvertedIsDetected(int version) throws IOException {
        byte[] good = files.sample(12, 300, 900, 16, version);
        for (int p = 0; p < good.length; p += 97) {
            byte[] bad = good.clone();
            bad[p] ^= (byte) 0xFF;
            ModelFormatException e = files.rejected(bad);
            assertTrue(
                    e.getMessage()
                            .matches(".*(checksum mismatch|truncated|bad magic|format version|flags|"
                                    + "expected|unknown section).*"),
                    e.getMessage());
        }
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void payloadFlipsAreReportedAsChecksumMismatches(int version) throws IOException {
        byte[] good = files.sample(13, 20, 30, 5, version);
        for (Sec s : sections(good)) {
            for (int p = s.payload(); p < s.payload() + s.length(); p += 7) {
                byte[] bad = good.clone();
                bad[p] ^= 0x10;
                assertContains("checksum mismatch in section", files.rejected(bad));
            }
        }
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void truncationIsReportedAtEveryBoundaryAndInsideEverySection(int version) throws IOException {
        byte[] good = files.sample(14, 25, 40, 6, version);
        Set<Integer> cuts = new TreeSet<>();
        for (int c = 1; c <= 16; c++) {
            cuts.add(c);
        }
        for (Sec s : sections(good)) {
            cuts.addAll(List.of(
                    s.start(),
                    s.start() + 1,
                    s.start() + 4,
                    s.start() + 11,
                    s.payload(),
                    s.payload() + s.length() / 2,
                    s.payload() + s.length(),
                    s.end() - 1));
        }
        cuts.removeIf(c -> c >= good.length);
        assertTrue(cuts.size() > 60);
        for (int cut : cuts) {
            ModelFormatException e = files.rejected(Arrays.copyOf(good, cut));
            assertContains("truncated", e);
        }
        assertContains(
                "truncated in section 'item factors'",
                files.rejected(Arrays.copyOf(
                        good, section(good, ModelFormat.ITEM_FACTORS).payload() + 10)));
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void foreignAndEmptyFilesAreNotEncoreModels(int version) throws IOException {
        assertContains(
                "not an Encore model (bad magic)",
                files.rejected("user,item,plays\nalice,Björk,3\n".getBytes(StandardCharsets.UTF_8)));
        assertContains("not an Encore model (bad magic)", files.rejected(new byte[] {1, 2, 3}));
        assertContains(
                "not an Encore model (bad magic)",
                files.rejected(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13}));
        ModelFormatException empty = files.rejected(new byte[0]);
        assertContains("empty file", empty);
        assertContains("not an Encore model", empty);
        // a line-ending conversion (LF -> CRLF) breaks the magic
        byte[] good = files.sample(15, 3, 4, 2, version);
        byte[] crlf = splice(good, 7, new byte[] {'\r'}, 0);
        assertContains("bad magic", files.rejected(crlf));
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void newerAndInvalidVersionsAndFlagsAreExplained(int version) throws IOException {
        byte[] good = files.sample(16, 3, 4, 2, version);
        byte[] v7 = good.clone();
        ByteBuffer.wrap(v7).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
        assertContains("format version 7 is newer than this Encore (reads 1 to 2)", files.rejected(v7));
        byte[] vMax = good.clone();
        ByteBuffer.wrap(vMax).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertContains("format version 4294967295 is newer", files.rejected(vMax));
        byte[] v0 = good.clone();
        ByteBuffer.wrap(v0).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0);
        assertContains("invalid format version 0", files.rejected(v0));
        byte[] flags = good.clone();
        flags[12] = 1;
        assertContains("unsupported header flags", files.rejected(flags));
    }

    @Test
    void aDamagedOrMisplacedSeenCountsSectionIsRejected() throws IOException {
        byte[] good = files.sample(23, 20, 30, 4, 2);
        Sec counts = section(good, ModelFormat.SEEN_COUNTS);
        Sec seen = section(good, ModelFormat.SEEN);
        assertEquals(seen.end(), counts.start(), "right after seen");
        byte[] nan = good.clone();
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(counts.payload() + 4, Float.NaN);
        fixCrc(nan, counts);
        assertContains("entry 1 is NaN, expected a finite count", files.rejected(nan));
        byte[] section = Arrays.copyOfRange(good, counts.start(), counts.end());
        byte[] twice = splice(good, counts.end(), section, 0);
        assertContains("must come once, right after section 'seen'", files.rejected(twice));
        byte[] withoutSeen = splice(good, seen.start(), new byte[0], seen.end() - seen.start());
        assertContains("must come once, right after section 'seen'", files.rejected(withoutSeen));
        byte[] shortPayload = replace(
                good,
                counts,
                encodeSection(
                        ModelFormat.SEEN_COUNTS, Arrays.copyOfRange(good, counts.payload(), counts.payload() + 4)));
        assertContains("bytes, expected", files.rejected(shortPayload));
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void hugeDeclaredLengthsAreRejectedWithoutAllocating(int version) throws IOException {
        byte[] good = files.sample(17, 30, 50, 8, version);
        for (int id :
                new int[] {ModelFormat.PARAMS, ModelFormat.USER_LABELS, ModelFormat.ITEM_FACTORS, ModelFormat.SEEN}) {
            for (long len : new long[] {1L << 40, Long.MAX_VALUE, -1L, Integer.MAX_VALUE}) {
                Sec s = section(good, id);
                byte[] bad = good.clone();
                ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putLong(s.start() + 4, len);
                assertContains("truncated in section", files.rejected(bad));
            }
        }
        // counts inside a CRC-valid payload are bounded by the payload, not trusted
        Sec users = section(good, ModelFormat.USER_LABELS);
        for (int count : new int[] {Integer.MAX_VALUE, -1, 1 << 28}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(users.payload(), count);
            fixCrc(bad, users);
            assertContains("does not fit", files.rejected(bad));
        }
        Sec meta = section(good, ModelFormat.METADATA);
        byte[] bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.payload() + 4, Integer.MAX_VALUE);
        fixCrc(bad, meta);
        assertContains("does not fit", files.rejected(bad));
        Sec seen = section(good, ModelFormat.SEEN);
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(seen.payload() + 8, Integer.MAX_VALUE);
        fixCrc(bad, seen);
        files.rejected(bad);
    }

    /** Builds a small model with chosen labels so individual payload bytes are easy to address. */
    private byte[] tiny(String[] users, String[] items, Csr seen, int version) throws IOException {
        return files.bytes(tinyModel(users, items), seen, null, version);
    }

    private static AlsModel tinyModel(String[] users, String[] items) {
        int rank = 2;
        BitSet uh = new BitSet();
        uh.set(0, users.length);
        BitSet ih = new BitSet();
        ih.set(0, items.length);
        float[] uf = new float[users.length * rank];
        float[] itf = new float[items.length * rank];
        Arrays.fill(uf, 0.5f);
        Arrays.fill(itf, 0.25f);
        return new AlsModel(
                AlsParams.builder().rank(rank).build(),
                LabelIndex.ofOrdered(users, new int[users.length]),
                LabelIndex.ofOrdered(items, new int[items.length]),
                Factors.wrap(uf, users.length, rank, uh),
                Factors.wrap(itf, items.length, rank, ih));
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void checksumValidButInconsistentContentIsRejected(int version) throws IOException {
        Csr seen = new Csr(2, 3, new int[] {0, 2, 3}, new int[] {0, 2, 1}, new float[3]);
        String[] userLabels = {"a", "b"};
        String[] itemLabels = {"x", "y", "z"};
        byte[] good = tiny(userLabels, itemLabels, seen, version);
        // the unmodified file loads as the model that was written (not merely as itself)
        assertModelEquals(tinyModel(userLabels, itemLabels), files.load(good).model());

        // user labels: count(4) freq(8) [len(4) 'a'] [len(4) 'b']
        Sec users = section(good, ModelFormat.USER_LABELS);
        int bAt = users.payload() + 4 + 8 + 5 + 4;
        assertEquals('b', good[bAt]);
        byte[] bad = good.clone();
        bad[bAt] = 'a';
        fixCrc(bad, users);
        assertContains("duplicate label", files.rejected(bad));
        for (byte invalid : new byte[] {(byte) 0xC0, (byte) 0xFF, (byte) 0x80, (byte) 0xED}) {
            bad = good.clone();
            bad[bAt] = invalid;
            fixCrc(bad, users);
            assertContains("not valid UTF-8", files.rejected(bad));
        }
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(users.payload() + 4, -3);
        fixCrc(bad, users);
        assertContains("negative frequency", files.rejected(bad));

        Sec presence = section(good, ModelFormat.ITEM_PRESENCE);
        bad = good.clone();
        bad[presence.payload() + 4] |= 1 << 5; // item 5 of 3
        fixCrc(bad, presence);
        assertContains("beyond", files.rejected(bad));

        // seen: rows(4) cols(4) nnz(4) rowPtr[3] colIdx[3]
        Sec s = section(good, ModelFormat.SEEN);
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + 24, 3); // colIdx[0] = cols
        fixCrc(bad, s);
        assertContains("outside [0, 3)", files.rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload() + 16, 5); // rowPtr[1] > nnz
        fixCrc(bad, s);
        files.rejected(bad);
        bad = good.clone();
        ByteBuffer.wrap(bad)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(s.payload() + 24, 2)
                .putInt(s.payload() + 28, 0); // row 0 columns 2, 0: unsorted
        fixCrc(bad, s);
        assertContains("not sorted", files.rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(s.payload(), 3); // 3 rows, 2 users
        fixCrc(bad, s);
        assertContains("expected 2 × 3", files.rejected(bad));
    }

    /** Byte offset of every label's UTF-8 bytes in a label section. */
    private static int[] labelOffsets(byte[] file, Sec s) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt(s.payload());
        int[] at = new int[n];
        int p = s.payload() + 4 + 4 * n;
        for (int i = 0; i < n; i++) {
            int len = b.getInt(p);
            at[i] = p + 4;
            p += 4 + len;
        }
        assertEquals(s.payload() + s.length(), p);
        return at;
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void largeLabelSectionsAreCheckedAsStrictly(int version) throws IOException {
        // enough labels for the parallel decoding and background indexing path
        int n = 40_000;
        String[] items = new String[n];
        for (int i = 0; i < n; i++) {
            items[i] = String.format("item-%06d", i);
        }
        items[n - 1] = "item-ß\ufffd"; // a genuine replacement character is valid
        byte[] good = tiny(new String[] {"u"}, items, null, version);
        AlsModel loaded = files.load(good).model();
        assertArrayEquals(items, loaded.items().labels());
        assertEquals(n - 1, loaded.items().indexOf("item-ß\ufffd"));

        Sec s = section(good, ModelFormat.ITEM_LABELS);
        int[] at = labelOffsets(good, s);
        for (int[] dup : new int[][] {{30_000, 29_999}, {35_000, 5}, {1, 0}, {n - 2, n - 3}}) {
            byte[] bad = good.clone();
            System.arraycopy(good, at[dup[1]], bad, at[dup[0]], 11);
            fixCrc(bad, s);
            assertContains("duplicate label", files.rejected(bad));
        }
        for (int i : new int[] {0, 20_000, n - 2}) {
            byte[] bad = good.clone();
            bad[at[i] + 3] = (byte) 0xFF;
            fixCrc(bad, s);
            assertContains("label " + i + " is not valid UTF-8", files.rejected(bad));
        }
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void sectionStructureIsEnforced(int version) throws IOException {
        byte[] good = files.sample(18, 8, 9, 3, version);
        Sec end = section(good, ModelFormat.END);
        Sec params = section(good, ModelFormat.PARAMS);
        Sec itemFactors = section(good, ModelFormat.ITEM_FACTORS);

        // skippable unknown sections are ignored wherever they are
        byte[] ext = encodeSection(ModelFormat.SKIPPABLE | 0x42, "future data".getBytes(StandardCharsets.UTF_8));
        byte[] withExt = splice(splice(good, end.start(), ext, 0), params.end(), ext, 0);
        assertModelEquals(files.load(good).model(), files.load(withExt).model());
        // ... but still checksummed
        byte[] extBad = withExt.clone();
        extBad[params.end() + 14] ^= 1;
        assertContains("checksum mismatch", files.rejected(extBad));
        // unknown mandatory sections are not
        byte[] mandatory = encodeSection(0x42, new byte[8]);
        assertContains("cannot be skipped", files.rejected(splice(good, end.start(), mandatory, 0)));
        // a repeated, a missing and a misplaced section
        byte[] paramsBytes = Arrays.copyOfRange(good, params.start(), params.end());
        assertContains("out of order or repeated", files.rejected(splice(good, end.start(), paramsBytes, 0)));
        assertContains(
                "'item factors' was expected",
                files.rejected(
                        splice(good, itemFactors.start(), new byte[0], itemFactors.end() - itemFactors.start())));
        assertContains(
                "is missing", files.rejected(splice(good, params.start(), new byte[0], end.start() - params.start())));
        // anything after the end marker
        assertContains("after the end marker", files.rejected(splice(good, good.length, new byte[] {0}, 0)));
        assertContains(
                "after the end marker",
                files.rejected(splice(good, good.length, Arrays.copyOfRange(good, end.start(), end.end()), 0)));
    }

    @ParameterizedTest(name = "format {0}")
    @MethodSource("versions")
    void aFileLabelledWithTheOtherVersionIsRejected(int version) throws IOException {
        byte[] good = files.sample(22, 4, 5, 2, version);
        byte[] other = good.clone();
        ByteBuffer.wrap(other).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 3 - version);
        // version 1 reads a key/value params section as a record of the wrong length, version 2 the record as pairs
        // that do not fit
        assertContains("section 'params'", files.rejected(other));
    }
}
