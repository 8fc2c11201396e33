package encore.als.io;

import encore.als.AlsModel;
import encore.als.AlsParams;
import encore.als.io.ModelFiles.Sec;
import encore.data.LabelIndex;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import static encore.als.io.ModelFiles.assertContains;
import static encore.als.io.ModelFiles.encodeSection;
import static encore.als.io.ModelFiles.fixCrc;
import static encore.als.io.ModelFiles.keyValues;
import static encore.als.io.ModelFiles.replace;
import static encore.als.io.ModelFiles.section;
import static encore.als.io.ModelFiles.splice;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The params section in both formats: format 2's key/value pairs round-trip every parameter exactly, read absent keys
 * as Spark's defaults, and refuse unknown keys, bad values and anything beyond the format's bounds with a
 * {@link ModelFormatException} naming the file, the section and the key; format 1's fixed record and its
 * {@code initialisation} section keep their checks.
 */
class ParamsSectionTest {
    @TempDir
    Path dir;

    private ModelFiles files;

    @BeforeEach
    void files() {
        files = new ModelFiles(dir);
    }

    /** One user, one item, unit factors: the params are all there is to look at. */
    private static AlsModel tiny(AlsParams p) {
        int k = p.rank();
        BitSet one = new BitSet();
        one.set(0);
        float[] u = new float[k];
        float[] i = new float[k];
        Arrays.fill(u, 0.5f);
        Arrays.fill(i, 0.25f);
        return new AlsModel(
                p,
                LabelIndex.ofOrdered(new String[] {"u"}, new int[] {1}),
                LabelIndex.ofOrdered(new String[] {"i"}, new int[] {1}),
                Factors.wrap(u, 1, k, one),
                Factors.wrap(i, 1, k, (BitSet) one.clone()));
    }

    // ------------------------------------------------------------------------------------------- format 2

    private static <T> T pick(SplittableRandom rnd, T random, List<T> edges) {
        return rnd.nextInt(3) == 0 ? edges.get(rnd.nextInt(edges.size())) : random;
    }

    /** Parameters with every field drawn at random, edge values (extremes, signed zero, subnormals) often. */
    static AlsParams extremeParams(SplittableRandom rnd) {
        List<Double> doubles =
                List.of(0.0, -0.0, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, 0.1, 1e-300, 1.0 / 3);
        boolean implicit = rnd.nextBoolean();
        boolean nonneg = rnd.nextInt(3) == 0;
        return AlsParams.builder()
                .rank(pick(rnd, 1 + rnd.nextInt(AlsParams.MAX_RANK), List.of(1, 2, AlsParams.MAX_RANK)))
                .maxIter(pick(rnd, rnd.nextInt(Integer.MAX_VALUE), List.of(0, Integer.MAX_VALUE)))
                .regParam(pick(rnd, rnd.nextDouble() * 10, doubles))
                .implicitPrefs(implicit)
                .alpha(pick(rnd, rnd.nextDouble() * 100, doubles))
                .nonnegative(nonneg)
                .seed(pick(rnd, rnd.nextLong(), List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L)))
                .solver(implicit && !nonneg && rnd.nextBoolean() ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY)
                .cgSteps(pick(rnd, 1 + rnd.nextInt(Integer.MAX_VALUE - 1), List.of(1, Integer.MAX_VALUE)))
                .coldStartStrategy(
                        rnd.nextBoolean() ? AlsParams.ColdStartStrategy.NAN : AlsParams.ColdStartStrategy.DROP)
                .init(rnd.nextBoolean() ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE)
                .numBlocks(pick(rnd, 1 + rnd.nextInt(Integer.MAX_VALUE - 1), List.of(1, Integer.MAX_VALUE)))
                .build();
    }

    static LongStream seeds() {
        return LongStream.range(1, 301);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyParameterRoundTripsExactly(long seed) throws IOException {
        AlsParams p = extremeParams(new SplittableRandom(seed));
        byte[] file = files.bytes(tiny(p), null, null, ModelFormat.VERSION);
        // the section holds exactly toMap(), in its order, and nothing else
        Sec s = section(file, ModelFormat.PARAMS);
        assertArrayEquals(keyValues(p.toMap()), Arrays.copyOfRange(file, s.payload(), s.payload() + s.length()));
        ModelStore.Stored st = files.load(file);
        assertEquals(p, st.model().params()); // record equality: doubles compared bit for bit (-0.0 != 0.0)
        assertEquals(p.toMap(), st.model().params().toMap());
        Path again = dir.resolve("again.encore");
        ModelStore.save(again, st.model(), null, st.metadata());
        assertArrayEquals(file, Files.readAllBytes(again));
    }

    private byte[] withParams(AlsParams written, byte[] payload) throws IOException {
        byte[] good = files.bytes(tiny(written), null, null, ModelFormat.VERSION);
        return replace(good, section(good, ModelFormat.PARAMS), encodeSection(ModelFormat.PARAMS, payload));
    }

    private byte[] withParams(AlsParams written, Map<String, String> pairs) throws IOException {
        return withParams(written, keyValues(pairs));
    }

    @Test
    void absentKeysTakeSparkDefaults() throws IOException {
        AlsParams two = AlsParams.builder().rank(2).build();
        assertEquals(
                two, files.load(withParams(two, Map.of("rank", "2"))).model().params());
        Map<String, String> some = new LinkedHashMap<>();
        some.put("alpha", "40.0");
        some.put("rank", "2");
        some.put("implicitPrefs", "true");
        assertEquals(
                two.toBuilder().alpha(40).implicitPrefs(true).build(),
                files.load(withParams(two, some)).model().params());
        // no pairs at all: every default, rank 10 included
        AlsParams defaults = AlsParams.defaults();
        assertEquals(
                defaults, files.load(withParams(defaults, Map.of())).model().params());
    }

    @Test
    void unknownKeysAreRejectedNamingFileSectionAndKey() throws IOException {
        AlsParams p = AlsParams.builder().rank(2).build();
        for (String key : new String[] {"threads", "Rank", "numUserBlocks", "", "rank "}) {
            Map<String, String> pairs = new LinkedHashMap<>(p.toMap());
            pairs.put(key, "4");
            ModelFormatException e = files.rejected(withParams(p, pairs));
            assertEquals("section 'params': unknown parameter '" + key + "' (written by a newer Encore?)", e.problem());
        }
    }

    @Test
    void invalidValuesAreRejectedNamingTheKey() throws IOException {
        AlsParams p = AlsParams.builder().rank(2).build();
        String[][] cases = {
            {"rank", "0", "rank"},
            {"rank", "1025", "rank"},
            {"rank", "x", "parameter rank"},
            {"rank", "", "rank"},
            {"maxIter", "-1", "maxIter"},
            {"regParam", "NaN", "regParam"},
            {"regParam", "-1", "regParam"},
            {"alpha", "Infinity", "alpha"},
            {"implicitPrefs", "yes", "parameter implicitPrefs"},
            {"seed", "1.5", "parameter seed"},
            {"solver", "lbfgs", "parameter solver"},
            {"solver", "cg", "invalid parameters"},
            {"cgSteps", "0", "cgSteps"},
            {"coldStartStrategy", "skip", "parameter coldStartStrategy"},
            {"init", "random", "parameter init"},
            {"numBlocks", "0", "numBlocks"},
            {"numBlocks", "99999999999", "parameter numBlocks"}
        };
        for (String[] c : cases) {
            Map<String, String> pairs = new LinkedHashMap<>(p.toMap());
            pairs.put(c[0], c[1]);
            ModelFormatException e = files.rejected(withParams(p, pairs));
            assertContains("section 'params': invalid parameters: ", e);
            assertContains(c[2], e);
        }
    }

    @Test
    void pairsAreBoundedAndStrict() throws IOException {
        AlsParams p = AlsParams.builder().rank(2).build();
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i <= ModelFormat.MAX_PARAMS; i++) {
            many.add(("k" + i).getBytes(StandardCharsets.UTF_8));
            many.add(new byte[] {'1'});
        }
        assertContains("65 entries exceed the format's limit of 64", files.rejected(withParams(p, keyValues(many))));
        byte[] longKey = new byte[ModelFormat.MAX_PARAM_KEY_BYTES + 1];
        Arrays.fill(longKey, (byte) 'k');
        assertContains(
                "key 0 of 65 bytes exceeds the format's limit of 64",
                files.rejected(withParams(p, keyValues(List.of(longKey, new byte[] {'1'})))));
        byte[] longValue = new byte[ModelFormat.MAX_PARAM_VALUE_BYTES + 1];
        Arrays.fill(longValue, (byte) '1');
        assertContains(
                "value 0 of 257 bytes exceeds the format's limit of 256",
                files.rejected(withParams(p, keyValues(List.of("rank".getBytes(StandardCharsets.UTF_8), longValue)))));
        // a section longer than any the limits allow is refused before it is read
        byte[] huge = new byte[(int) ParamsSection.LIMITS.maxPayload() + 1];
        assertContains("exceed the format's limit", files.rejected(withParams(p, huge)));
        byte[] pairs = keyValues(p.toMap());
        ByteBuffer.wrap(pairs).order(ByteOrder.LITTLE_ENDIAN).putInt(0, Integer.MAX_VALUE);
        assertContains("does not fit", files.rejected(withParams(p, pairs)));
        assertContains(
                "12 unexpected bytes after the last entry",
                files.rejected(withParams(p, Arrays.copyOf(keyValues(p.toMap()), keyValues(p.toMap()).length + 12))));
        byte[] rank = "rank".getBytes(StandardCharsets.UTF_8);
        byte[] two = "2".getBytes(StandardCharsets.UTF_8);
        assertContains(
                "duplicate key \"rank\"", files.rejected(withParams(p, keyValues(List.of(rank, two, rank, two)))));
        assertContains(
                "key 0 is not valid UTF-8",
                files.rejected(withParams(p, keyValues(List.of(new byte[] {'r', (byte) 0xC0}, two)))));
        assertContains("value 0 is not valid UTF-8", files.rejected(withParams(p, keyValues(List.of(rank, new byte[] {
            (byte) 0xFF
        })))));
    }

    @Test
    void theWriterKeepsTheBoundsItself() {
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i <= ModelFormat.MAX_PARAMS; i++) {
            many.put("k" + i, "1");
        }
        assertThrows(IllegalArgumentException.class, () -> KeyValues.encode(many, "parameter", ParamsSection.LIMITS));
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyValues.encode(Map.of("rank", "1".repeat(257)), "parameter", ParamsSection.LIMITS));
        assertThrows(
                IllegalArgumentException.class,
                () -> KeyValues.encode(Map.of("k".repeat(65), "1"), "parameter", ParamsSection.LIMITS));
    }

    @Test
    void theInitialisationSectionIsRefusedInFormat2() throws IOException {
        AlsParams p = AlsParams.builder()
                .rank(2)
                .init(AlsParams.Init.SPARK)
                .numBlocks(4)
                .build();
        byte[] good = files.bytes(tiny(p), null, null, ModelFormat.VERSION);
        Sec params = section(good, ModelFormat.PARAMS);
        byte[] init = encodeSection(ModelFormat.V1_INIT, ModelFiles.v1Init(p));
        assertContains(
                "section 'initialisation': belongs to format version 1",
                files.rejected(splice(good, params.end(), init, 0)));
    }

    // ------------------------------------------------------------------------------------------- format 1

    @Test
    void format1RecordIsChecked() throws IOException {
        byte[] good = files.bytes(tiny(AlsParams.builder().rank(2).build()), null, null, 1);
        Sec params = section(good, ModelFormat.PARAMS);
        for (int rank : new int[] {0, AlsParams.MAX_RANK + 1, -5}) {
            byte[] bad = good.clone();
            ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(params.payload(), rank);
            fixCrc(bad, params);
            assertContains("rank", files.rejected(bad));
        }
        byte[] bad = good.clone();
        bad[params.payload() + 38] = 7;
        fixCrc(bad, params);
        assertContains("unknown solver code 7", files.rejected(bad));
        bad = good.clone();
        bad[params.payload() + 38] = 1; // CG with explicit feedback
        fixCrc(bad, params);
        assertContains("invalid parameters", files.rejected(bad));
        bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putDouble(params.payload() + 8, Double.NaN);
        fixCrc(bad, params);
        assertContains("regParam", files.rejected(bad));
        bad = good.clone();
        bad[params.payload() + 36] = 2;
        fixCrc(bad, params);
        assertContains("invalid flag byte (implicitPrefs 2", files.rejected(bad));
        bad = good.clone();
        bad[params.payload() + 39] = 2;
        fixCrc(bad, params);
        assertContains("unknown cold-start strategy code 2", files.rejected(bad));
        assertContains(
                "expected 40", files.rejected(replace(good, params, encodeSection(ModelFormat.PARAMS, new byte[39]))));
    }

    @Test
    void format1InitialisationSectionIsOptionalButChecked() throws IOException {
        SplittableRandom rnd = new SplittableRandom(21);
        byte[] good = files.bytes(
                RandomModels.model(rnd, 8, 9, 3), RandomModels.seen(rnd, 8, 9), RandomModels.metadata(rnd), 1);
        Sec init = section(good, ModelFormat.V1_INIT);
        Sec params = section(good, ModelFormat.PARAMS);
        Sec end = section(good, ModelFormat.END);
        AlsParams written = files.load(good).model().params();
        // a file from before the section existed: Encore's initialisation, 10 blocks
        AlsParams old = files.load(splice(good, init.start(), new byte[0], init.end() - init.start()))
                .model()
                .params();
        assertEquals(
                written.toBuilder().init(AlsParams.Init.ENCORE).numBlocks(10).build(), old);
        byte[] initBytes = Arrays.copyOfRange(good, init.start(), init.end());
        assertContains("right after section 'params'", files.rejected(splice(good, end.start(), initBytes, 0)));
        assertContains("right after section 'params'", files.rejected(splice(good, init.end(), initBytes, 0)));
        assertContains(
                "right after section 'params'",
                files.rejected(splice(
                        splice(good, init.start(), new byte[0], init.end() - init.start()),
                        params.start(),
                        initBytes,
                        0)));
        assertContains(
                "unknown initialisation code 7",
                files.rejected(replace(good, init, encodeSection(ModelFormat.V1_INIT, new byte[] {7, 10, 0, 0, 0}))));
        assertContains(
                "numBlocks 0 is not >= 1",
                files.rejected(replace(good, init, encodeSection(ModelFormat.V1_INIT, new byte[] {1, 0, 0, 0, 0}))));
        assertContains("expected 5", files.rejected(replace(good, init, encodeSection(ModelFormat.V1_INIT, new byte[] {
            1, 10, 0, 0
        }))));
    }
}
