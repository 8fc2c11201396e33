package encore.als;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlsParamsTest {
    @Test
    void defaultsAreSparks() {
        AlsParams p = AlsParams.defaults();
        assertEquals(10, p.rank());
        assertEquals(10, p.maxIter());
        assertEquals(0.1, p.regParam());
        assertEquals(1.0, p.alpha());
        assertEquals(1994790107L, p.seed());
        assertEquals(10, p.numBlocks());
        assertEquals(AlsParams.ColdStartStrategy.NAN, p.coldStartStrategy());
    }

    @Test
    void theMapNamesEveryParameterInSparksWords() {
        Map<String, String> m = AlsParams.builder()
                .rank(7)
                .regParam(0.01)
                .implicitPrefs(true)
                .alpha(40)
                .solver(AlsParams.Solver.CG)
                .cgSteps(2)
                .init(AlsParams.Init.SPARK)
                .numBlocks(3)
                .build()
                .toMap();
        assertEquals(
                List.of(
                        "rank",
                        "maxIter",
                        "regParam",
                        "implicitPrefs",
                        "alpha",
                        "nonnegative",
                        "seed",
                        "solver",
                        "cgSteps",
                        "coldStartStrategy",
                        "init",
                        "numBlocks"),
                List.copyOf(m.keySet()));
        assertEquals("7", m.get("rank"));
        assertEquals("0.01", m.get("regParam"));
        assertEquals("true", m.get("implicitPrefs"));
        assertEquals("cg", m.get("solver"));
        assertEquals("spark", m.get("init"));
        assertEquals("nan", m.get("coldStartStrategy"));
    }

    @Test
    void randomParametersRoundTripExactly() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 500; i++) {
            boolean implicit = rnd.nextBoolean();
            boolean cg = implicit && rnd.nextBoolean();
            AlsParams p = AlsParams.builder()
                    .rank(1 + rnd.nextInt(AlsParams.MAX_RANK))
                    .maxIter(rnd.nextInt(100))
                    .regParam(rnd.nextDouble() * Math.pow(10, rnd.nextInt(-12, 3)))
                    .implicitPrefs(implicit)
                    .alpha(rnd.nextDouble() * 100)
                    .nonnegative(!cg && rnd.nextBoolean())
                    .seed(rnd.nextLong())
                    .solver(cg ? AlsParams.Solver.CG : AlsParams.Solver.CHOLESKY)
                    .cgSteps(1 + rnd.nextInt(9))
                    .coldStartStrategy(
                            rnd.nextBoolean() ? AlsParams.ColdStartStrategy.DROP : AlsParams.ColdStartStrategy.NAN)
                    .init(rnd.nextBoolean() ? AlsParams.Init.SPARK : AlsParams.Init.ENCORE)
                    .numBlocks(1 + rnd.nextInt(99))
                    .build();
            AlsParams back = AlsParams.fromMap(p.toMap());
            assertEquals(p, back);
            assertEquals(p.regParam(), back.regParam(), 0.0);
            assertEquals(p.seed(), back.seed());
        }
    }

    @Test
    void absentKeysTakeSparksDefaults() {
        AlsParams p = AlsParams.fromMap(Map.of("rank", "4"));
        assertEquals(AlsParams.defaults().toBuilder().rank(4).build(), p);
        assertNotEquals(AlsParams.defaults(), p);
    }

    @Test
    void badMapsAreRefusedNamingTheKey() {
        Map<String, String> m = new LinkedHashMap<>(AlsParams.defaults().toMap());
        m.put("threads", "4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AlsParams.fromMap(m));
        assertEquals("unknown parameter 'threads'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlsParams.fromMap(Map.of("rank", "ten")));
        assertEquals("parameter rank: 'ten' is not a number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlsParams.fromMap(Map.of("nonnegative", "yes")));
        assertEquals("parameter nonnegative: 'yes' is not true or false", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlsParams.fromMap(Map.of("solver", "lbfgs")));
        assertEquals("parameter solver: unknown value 'lbfgs'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlsParams.fromMap(Map.of("rank", "0")));
        assertTrue(e.getMessage().startsWith("rank must be in [1, "), e.getMessage());
    }
}
