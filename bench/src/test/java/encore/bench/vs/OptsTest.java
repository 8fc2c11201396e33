package encore.bench.vs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptsTest {
    @Test
    void valuesFlagsListsAndDefaults() {
        Opts o = new Opts(new String[] {"--ranks", "10,64", "--flag", "--repeat", "5", "--spark-repeat", "1"});
        assertArrayEquals(new int[] {10, 64}, o.ints("ranks", null));
        assertTrue(o.has("flag"));
        assertEquals(5, Scenario.repeat(o, "encore"));
        assertEquals(1, Scenario.repeat(o, "spark"));
        assertEquals(1, Scenario.warmup(o, "spark"));
        assertEquals(List.of(), o.list("spark-conf", ""));
        assertThrows(IllegalArgumentException.class, () -> new Opts(new String[] {"value"}));
        assertThrows(IllegalArgumentException.class, () -> o.need("data"));
    }

    @Test
    void scenarioSettingsComeFromTheSharedCommandLine() {
        Opts o = new Opts(new String[] {"--configs", "10:0.1,50:0.05", "--ranks", "10,32", "--modes", "implicit"});
        List<Scenario.Als> ex = Scenario.explicit(o);
        assertEquals(2, ex.size());
        assertEquals(50, ex.get(1).rank());
        assertEquals(0.05, ex.get(1).reg());
        assertEquals(10, ex.get(1).iters());
        List<Scenario.Als> sc = Scenario.scaling(o);
        assertEquals(
                List.of("implicit_r10", "implicit_r32"),
                sc.stream().map(Scenario.Als::name).toList());
        assertTrue(sc.get(0).implicit());
        assertThrows(
                IllegalArgumentException.class, () -> Scenario.scaling(new Opts(new String[] {"--modes", "bogus"})));
    }
}
