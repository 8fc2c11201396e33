import static org.junit.platform.engine.discovery.ClassNameFilter.excludeClassNamePatterns;
import static org.junit.platform.engine.discovery.ClassNameFilter.includeClassNamePatterns;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClasspathRoots;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs one module's unit tests (the classes Surefire runs: names ending in {@code Test}) from its test-classes
 * directory, without Maven, on a device host that has a Java runtime but no Maven or network. device-pack.sh compiles
 * this file; device-check.sh runs it once per module from that module's directory (so tests that read
 * {@code src/...} find the sources of the working-tree copy).
 *
 * <pre>java -cp CLASSPATH DeviceSuite TEST_CLASSES_DIR MODULE_NAME [EXCLUDED_CLASS...]</pre>
 *
 * Prints every failure and every skipped test with its reason (so a GPU test that did not run on a GPU host shows
 * why), then one summary line; exits 1 when a test failed or none ran.
 */
public final class DeviceSuite {
    public static void main(String[] args) {
        Path root = Path.of(args[0]).toAbsolutePath();
        String module = args.length > 1 ? args[1] : root.toString();
        List<String> excluded = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            excluded.add(java.util.regex.Pattern.quote(args[i]));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectClasspathRoots(Set.of(root)))
                .filters(
                        includeClassNamePatterns(".*Test"),
                        excludeClassNamePatterns(excluded.isEmpty() ? "^$" : String.join("|", excluded)))
                .build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        List<String> skipped = new ArrayList<>();
        TestExecutionListener skips = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier test, String reason) {
                skipped.add(test.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
                    skipped.add(test.getDisplayName() + ": "
                            + result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
                }
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, summary, skips);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        out.println();
        for (String name : excluded) {
            out.println("excluded " + module + ": " + name);
        }
        s.printFailuresTo(out, 25);
        for (String line : skipped) {
            out.println("skipped " + module + ": " + line);
        }
        long ran = s.getTestsSucceededCount() + s.getTestsFailedCount();
        out.printf(
                "suite %s: %d tests, %d passed, %d failed, %d skipped%n",
                module,
                s.getTestsFoundCount(),
                s.getTestsSucceededCount(),
                s.getTestsFailedCount() + s.getContainersFailedCount(),
                s.getTestsSkippedCount() + s.getTestsAbortedCount());
        System.exit(s.getTestsFailedCount() + s.getContainersFailedCount() == 0 && ran > 0 ? 0 : 1);
    }
}
