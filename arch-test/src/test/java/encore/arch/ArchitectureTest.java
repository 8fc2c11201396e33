package encore.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The architecture rules ({@link ArchitectureRules}) over the main classes of core, cpu-fallback, cuda-kernels, serve,
 * cli and bench (all on this module's test class path; test classes are left out), plus, under {@code -P spark}, the
 * classes bench compiles from {@code src/spark}.
 *
 * <p>Three checks keep the rules from passing by matching nothing: ArchUnit's default {@code allowEmptyShould(false)}
 * (a rule whose "that" selects no class fails), {@link #every_rule_sees_enough_classes} (each rule's subjects are a
 * real share of the code base, so a module dropped from the class path is noticed) and
 * {@link #every_rule_reports_its_planted_violation}: the same rule objects, evaluated against the planted classes in
 * the {@code archfixture} packages of this module's tests, must each report a violation naming the planted class.
 */
@AnalyzeClasses(
        packages = "encore",
        importOptions = ImportOption.DoNotIncludeTests.class,
        locations = ArchitectureTest.SparkClasses.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule core_imports_no_engine_cli_or_bench = ArchitectureRules.CORE_IMPORTS_NO_ENGINE_CLI_OR_BENCH;

    @ArchTest
    static final ArchRule cpu_imports_no_gpu = ArchitectureRules.CPU_IMPORTS_NO_GPU;

    @ArchTest
    static final ArchRule only_cli_imports_cli = ArchitectureRules.ONLY_CLI_IMPORTS_CLI;

    @ArchTest
    static final ArchRule only_bench_imports_bench = ArchitectureRules.ONLY_BENCH_IMPORTS_BENCH;

    @ArchTest
    static final ArchRule jcuda_only_in_cuda = ArchitectureRules.JCUDA_ONLY_IN_CUDA;

    @ArchTest
    static final ArchRule spark_only_in_bench_spark_sources = ArchitectureRules.SPARK_ONLY_IN_BENCH_SPARK_SOURCES;

    @ArchTest
    static final ArchRule picocli_only_in_cli = ArchitectureRules.PICOCLI_ONLY_IN_CLI;

    @ArchTest
    static final ArchRule http_server_and_jackson_only_in_serve =
            ArchitectureRules.HTTP_SERVER_AND_JACKSON_ONLY_IN_SERVE;

    @ArchTest
    static final ArchRule internal_only_from_own_modules = ArchitectureRules.INTERNAL_ONLY_FROM_OWN_MODULES;

    @ArchTest
    static final ArchRule no_cycles_between_top_level_packages = ArchitectureRules.NO_CYCLES_BETWEEN_TOP_LEVEL_PACKAGES;

    @ArchTest
    static final ArchRule no_cycles_between_packages = ArchitectureRules.NO_CYCLES_BETWEEN_PACKAGES;

    @ArchTest
    static final ArchRule at_most_seven_parameters =
            ArchitectureRules.AT_MOST_SEVEN_PARAMETERS_OUTSIDE_THE_KERNEL_FACADE;

    /** Each module's classes are in the import: a missing dependency of this module would make rules vacuous. */
    @ArchTest
    static void every_module_is_imported(JavaClasses classes) {
        Map<String, Integer> least = Map.of(
                "encore.als..",
                10,
                "encore.data..",
                20,
                "encore.cpu..",
                5,
                "encore.cuda..",
                15,
                "encore.cli..",
                15,
                "encore.bench..",
                15,
                "encore.serve..",
                5);
        least.forEach((pkg, n) -> {
            int seen = classes.that(resideInAPackage(pkg)).size();
            assertTrue(seen >= n, pkg + ": " + seen + " classes imported, expected at least " + n);
        });
        assertTrue(
                classes.stream().noneMatch(c -> c.getPackageName().contains("archfixture")),
                "planted classes leaked into the main import");
    }

    /** Each rule looks at at least its {@code minSubjects} main classes. */
    @ArchTest
    static void every_rule_sees_enough_classes(JavaClasses classes) {
        for (ArchitectureRules.Checked c : ArchitectureRules.ALL_RULES) {
            int seen = classes.that(c.subjects()).size();
            assertTrue(
                    seen >= c.minSubjects(),
                    c.name() + ": checks " + seen + " classes, expected at least " + c.minSubjects());
        }
    }

    /**
     * The planted classes (test sources of this module, packages {@code encore.*.archfixture} and
     * {@code encore.archfixture}) break every rule once; each rule must report its own planted violation.
     */
    @ArchTest
    static void every_rule_reports_its_planted_violation(JavaClasses ignored) {
        JavaClasses planted = plantedClasses();
        List<ArchRule> listed = ArchitectureRules.ALL_RULES.stream()
                .map(ArchitectureRules.Checked::rule)
                .toList();
        assertEquals(listed.size(), Set.copyOf(listed).size(), "a rule is listed twice in ArchitectureRules.ALL_RULES");
        assertEquals(
                Set.copyOf(ruleFields()),
                Set.copyOf(listed),
                "every @ArchTest rule has its entry (subjects, planted violation) in ArchitectureRules.ALL_RULES");
        List<String> problems = new ArrayList<>();
        for (ArchitectureRules.Checked c : ArchitectureRules.ALL_RULES) {
            EvaluationResult result = c.rule().evaluate(planted);
            if (!result.hasViolation()) {
                problems.add(c.name() + ": no violation reported on the planted classes");
                continue;
            }
            String report = String.join("\n", result.getFailureReport().getDetails());
            for (String cls : c.planted()) {
                if (!report.contains(cls)) {
                    problems.add(c.name() + ": the report does not name " + cls + ":\n" + report);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n\n", problems));
        }
    }

    private static List<ArchRule> ruleFields() {
        List<ArchRule> rules = new ArrayList<>();
        for (Field f : ArchitectureTest.class.getDeclaredFields()) {
            if (f.getType() == ArchRule.class && f.isAnnotationPresent(ArchTest.class)) {
                try {
                    rules.add((ArchRule) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return rules;
    }

    static JavaClasses plantedClasses() {
        JavaClasses planted = new ClassFileImporter()
                .importPackages(
                        "encore.archfixture",
                        "encore.als.archfixture",
                        "encore.data.archfixture",
                        "encore.eval.archfixture",
                        "encore.synth.archfixture",
                        "encore.pipeline.archfixture",
                        "encore.cpu.archfixture",
                        "encore.bench.archfixture",
                        // the real encore.internal classes: the rule about them needs them as its subjects
                        "encore.internal");
        assertTrue(planted.size() >= 10, "planted classes not found: " + planted.size());
        return planted;
    }

    /** {@code -P spark}: the classes bench compiled from src/spark (they are on no class path). */
    static final class SparkClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            String dir = System.getProperty("encore.arch.sparkClasses", "");
            if (dir.isBlank()) {
                return Set.of();
            }
            Path path = Path.of(dir);
            assertTrue(Files.isDirectory(path), "-P spark: no Spark classes at " + path);
            return Set.of(Location.of(path));
        }
    }
}
