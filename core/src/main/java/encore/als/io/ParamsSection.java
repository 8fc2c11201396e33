package encore.als.io;

import encore.als.AlsParams;
import encore.als.io.Sections.Section;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;

import static encore.als.io.ModelFormat.MAX_PARAMS;
import static encore.als.io.ModelFormat.MAX_PARAM_KEY_BYTES;
import static encore.als.io.ModelFormat.MAX_PARAM_VALUE_BYTES;
import static encore.als.io.ModelFormat.V1_INIT_BYTES;
import static encore.als.io.ModelFormat.V1_PARAMS_BYTES;
import static encore.als.io.ModelFormat.num;

/**
 * The {@code params} section. Format 2 stores {@link AlsParams#toMap()} as {@link KeyValues} (a new parameter is a
 * new key, and absent keys read as Spark's defaults); format 1 stored a fixed 40-byte record plus the skippable
 * {@code initialisation} section, which are only read.
 */
final class ParamsSection {
    static final KeyValues.Limits LIMITS = new KeyValues.Limits(MAX_PARAMS, MAX_PARAM_KEY_BYTES, MAX_PARAM_VALUE_BYTES);
    /** The keys this build knows. */
    private static final Set<String> KEYS =
            Set.copyOf(AlsParams.defaults().toMap().keySet());

    private ParamsSection() {}

    /** Format 2: every parameter, in {@link AlsParams#toMap()} order. */
    static KeyValues encode(AlsParams p) {
        return KeyValues.encode(p.toMap(), "parameter", LIMITS);
    }

    /** Format 2: the parameters; an unknown key or a value out of range is a format error naming it. */
    static AlsParams read(Sections.Reader in, Section s) throws IOException {
        Map<String, String> m = KeyValues.read(in, s, LIMITS);
        for (String key : m.keySet()) {
            if (!KEYS.contains(key)) {
                throw in.error(s, "unknown parameter '" + key + "' (written by a newer Encore?)");
            }
        }
        try {
            return AlsParams.fromMap(m);
        } catch (IllegalArgumentException e) {
            throw in.error(s, "invalid parameters: " + e.getMessage());
        }
    }

    /**
     * Format 1: u32 rank, u32 maxIter, f64 regParam, f64 alpha, i64 seed, u32 cgSteps, u8 implicitPrefs, u8
     * nonnegative, u8 solver (0 = Cholesky, 1 = CG), u8 coldStartStrategy (0 = NaN, 1 = drop). Init and numBlocks
     * are Encore's and 10 until an {@code initialisation} section says otherwise.
     */
    static AlsParams readV1(Sections.Reader in, Section s) throws IOException {
        if (s.length() != V1_PARAMS_BYTES) {
            throw in.corrupt(s, num(s.length()) + " bytes, expected " + V1_PARAMS_BYTES);
        }
        ByteBuffer b = in.readAll(s);
        int rank = b.getInt();
        int maxIter = b.getInt();
        double regParam = b.getDouble();
        double alpha = b.getDouble();
        long seed = b.getLong();
        int cgSteps = b.getInt();
        byte implicit = b.get();
        byte nonneg = b.get();
        byte solver = b.get();
        byte cold = b.get();
        if (rank < 1 || rank > AlsParams.MAX_RANK) {
            throw in.error(s, "rank " + Integer.toUnsignedString(rank) + " is outside [1, " + AlsParams.MAX_RANK + "]");
        }
        if (implicit > 1 || implicit < 0 || nonneg > 1 || nonneg < 0) {
            throw in.error(s, "invalid flag byte (implicitPrefs " + implicit + ", nonnegative " + nonneg + ")");
        }
        if (solver != 0 && solver != 1) {
            throw in.error(s, "unknown solver code " + solver);
        }
        if (cold != 0 && cold != 1) {
            throw in.error(s, "unknown cold-start strategy code " + cold);
        }
        try {
            return AlsParams.builder()
                    .rank(rank)
                    .maxIter(maxIter)
                    .regParam(regParam)
                    .implicitPrefs(implicit == 1)
                    .alpha(alpha)
                    .nonnegative(nonneg == 1)
                    .seed(seed)
                    .solver(solver == 1 ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY)
                    .cgSteps(cgSteps)
                    .coldStartStrategy(cold == 1 ? AlsParams.ColdStartStrategy.DROP : AlsParams.ColdStartStrategy.NAN)
                    .init(AlsParams.Init.ENCORE)
                    .numBlocks(AlsParams.SPARK_DEFAULT_NUM_BLOCKS)
                    .build();
        } catch (IllegalArgumentException e) {
            throw in.error(s, "invalid parameters: " + e.getMessage());
        }
    }

    /** Format 1's {@code initialisation} section: u8 init (0 = Encore, 1 = Spark), u32 numBlocks (≥ 1). */
    static AlsParams readV1Init(Sections.Reader in, Section s, AlsParams p) throws IOException {
        if (s.length() != V1_INIT_BYTES) {
            throw in.corrupt(s, num(s.length()) + " bytes, expected " + V1_INIT_BYTES);
        }
        ByteBuffer b = in.readAll(s);
        byte init = b.get();
        int blocks = b.getInt();
        if (init != 0 && init != 1) {
            throw in.error(s, "unknown initialisation code " + init);
        }
        if (blocks < 1) {
            throw in.error(s, "numBlocks " + Integer.toUnsignedString(blocks) + " is not >= 1");
        }
        return p.toBuilder()
                .init(init == 1 ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE)
                .numBlocks(blocks)
                .build();
    }
}
