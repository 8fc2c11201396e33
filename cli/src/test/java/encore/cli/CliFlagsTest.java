package encore.cli;

import encore.als.AlsParams;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Library messages name parameters; the CLI shows its flags instead. */
class CliFlagsTest {
    @Test
    void assignmentsBecomeFlagsWithTheirValue() {
        assertEquals(
                "x.csv:3: malformed row (too many fields); --bad-rows skip counts and skips such rows",
                CliFlags.phrase("x.csv:3: malformed row (too many fields); badRows=skip counts and skips such rows"));
        assertEquals(
                "backend gpu failed: boom (--backend auto continues on the CPU; --backend cpu runs there)",
                CliFlags.phrase(
                        "backend gpu failed: boom (backend=auto continues on the CPU; backend=cpu runs there)"));
        assertEquals("no pairs left after --limit 0", CliFlags.phrase("no pairs left after limit=0"));
        assertEquals("use --implicit", CliFlags.phrase("use implicitPrefs=true"));
        assertEquals(
                "backend gpu failed: x (--backend auto would continue on the CPU)",
                CliFlags.phrase("backend gpu failed: x (backend=auto would continue on the CPU)"));
    }

    @Test
    void aLeadingParameterAndCamelCaseNamesBecomeFlags() {
        assertEquals("--rank must be in [1, 1024], got 0", CliFlags.phrase("rank must be in [1, 1024], got 0"));
        assertEquals(
                "user 'u' (index 3, 2 ratings): normal equations are not positive definite at rank 4 and --reg "
                        + "0.0; raise --reg or lower the rank",
                CliFlags.phrase(
                        "user 'u' (index 3, 2 ratings): normal equations are not positive definite at rank 4 and "
                                + "regParam 0.0; raise regParam or lower the rank"));
        assertEquals("--cg-steps must be >= 1, got 0", CliFlags.phrase("cgSteps must be >= 1, got 0"));
    }

    @Test
    void wordsThatAreNotParametersStayAsTheyAre() {
        String plain = "the rank of a user, an alpha release, a key=value pair, threadsafe";
        assertEquals(plain, CliFlags.phrase(plain));
        assertEquals("userLabels are fine", CliFlags.phrase("userLabels are fine"));
    }

    @Test
    void theLibrarysOwnValidationMessagesComeOutAsFlags() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AlsParams.builder().regParam(-1).build());
        assertEquals("--reg must be a finite number >= 0, got -1.0", CliFlags.phrase(e.getMessage()));
        e = assertThrows(
                IllegalArgumentException.class,
                () -> AlsParams.builder().numBlocks(0).build());
        assertEquals("--num-blocks must be >= 1, got 0", CliFlags.phrase(e.getMessage()));
    }
}
