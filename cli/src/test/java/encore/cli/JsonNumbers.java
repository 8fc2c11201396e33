package encore.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Reads one number out of the CLI's JSON output, failing the test when it is absent or null (a NaN is null). */
final class JsonNumbers {
    private JsonNumbers() {}

    /** The value of {@code "key": number}; fails when the key is missing or its value is not a finite number. */
    static double number(String json, String key) {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(key) + "\": ([^,\\n}]+)").matcher(json);
        if (!m.find()) {
            fail("no \"" + key + "\" in " + json);
        }
        String v = m.group(1).trim();
        try {
            double d = Double.parseDouble(v);
            assertTrue(Double.isFinite(d), key + " is " + v);
            return d;
        } catch (NumberFormatException e) {
            return fail(key + " is " + v + ", not a number, in " + json);
        }
    }

    /** {@link #number}, asserted to lie in [lo, hi]. */
    static double inRange(String json, String key, double lo, double hi) {
        double d = number(json, key);
        assertTrue(d >= lo && d <= hi, key + " = " + d + ", expected in [" + lo + ", " + hi + "]");
        return d;
    }
}
