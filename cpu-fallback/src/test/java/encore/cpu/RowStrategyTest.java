package encore.cpu;

import encore.als.AlsParams;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one strategy choice: which rows take which strategy, and {@link RowStrategy#possibleWith} agrees with it. */
class RowStrategyTest {
    static AlsParams.Builder at(int k) {
        return AlsParams.builder().rank(k);
    }

    @Test
    void theTableOfRowStrategies() {
        AlsParams explicit = at(10).build();
        assertEquals(RowStrategy.DUAL, RowStrategy.choose(9, 9, explicit));
        assertEquals(RowStrategy.CHOLESKY, RowStrategy.choose(10, 10, explicit));
        AlsParams implicit = at(10).implicitPrefs(true).build();
        assertEquals(RowStrategy.WOODBURY, RowStrategy.choose(100, 4, implicit)); // 0 < m < k/2 = 5
        assertEquals(RowStrategy.CHOLESKY, RowStrategy.choose(100, 5, implicit));
        assertEquals(RowStrategy.CHOLESKY, RowStrategy.choose(3, 0, implicit)); // only zero ratings
        assertEquals(
                RowStrategy.CHOLESKY,
                RowStrategy.choose(3, 3, at(5).implicitPrefs(true).build())); // k/2 = 2
        for (boolean imp : new boolean[] {false, true}) {
            assertEquals(
                    RowStrategy.NNLS,
                    RowStrategy.choose(
                            1, 1, at(10).implicitPrefs(imp).nonnegative(true).build()));
        }
        AlsParams cg = at(10).implicitPrefs(true).solver(AlsParams.Solver.CG).build();
        assertEquals(RowStrategy.CG, RowStrategy.choose(1, 1, cg));
        assertEquals(RowStrategy.CG, RowStrategy.choose(100, 100, cg));
    }

    @Test
    void possibleWithIsExactlyWhatChooseCanReturn() {
        for (int k = 1; k <= 9; k++) {
            for (int kind = 0; kind < 5; kind++) {
                AlsParams.Builder b =
                        at(k).implicitPrefs(kind >= 1 && kind != 3).nonnegative(kind >= 3);
                AlsParams p = (kind == 2 ? b.solver(AlsParams.Solver.CG) : b).build();
                Set<RowStrategy> chosen = EnumSet.noneOf(RowStrategy.class);
                for (int n = 1; n <= 2 * k + 2; n++) {
                    for (int m = 0; m <= n; m++) {
                        chosen.add(RowStrategy.choose(n, m, p));
                    }
                }
                Set<RowStrategy> possible = EnumSet.noneOf(RowStrategy.class);
                for (RowStrategy s : RowStrategy.values()) {
                    if (s.possibleWith(p)) {
                        possible.add(s);
                    }
                }
                assertEquals(chosen, possible, "rank " + k + ", " + p);
            }
        }
    }
}
