package encore.arch;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.List;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.codeUnits;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The module rules of docs/architecture.md ("Rules the build enforces") as ArchUnit rules. {@link ArchitectureTest}
 * checks each against the main classes of every module and against its planted violation.
 */
final class ArchitectureRules {
    private ArchitectureRules() {}

    /** The packages of {@code core} (encore-core). */
    static final String[] CORE = {
        "encore.als..",
        "encore.data..",
        "encore.eval..",
        "encore.matrix..",
        "encore.util..",
        "encore.synth..",
        "encore.pipeline..",
        "encore.internal..",
    };

    /** Every package of Encore's own modules: core and the four that depend on it. */
    static final String[] OWN = {
        "encore.als..", "encore.data..", "encore.eval..", "encore.matrix..", "encore.util..", "encore.synth..",
        "encore.pipeline..", "encore.internal..", "encore.cpu..", "encore.cuda..", "encore.cli..", "encore.bench..",
        "encore.serve..",
    };

    /**
     * Classes compiled from {@code bench/src/spark}: package {@code encore.bench..} and loaded from the directory the
     * bench module's {@code spark} profile compiles them into ({@code bench/target/spark-classes}), never from a jar or
     * {@code target/classes}. Decided by where the class file is, so moving a Spark class into {@code src/main} fails
     * the rule even in the same package.
     */
    static final DescribedPredicate<JavaClass> COMPILED_FROM_BENCH_SPARK = DescribedPredicate.describe(
            "are compiled from bench/src/spark",
            c -> c.getPackageName().startsWith("encore.bench.")
                    && c.getSource()
                            .map(s -> s.getUri().toString().contains("/bench/target/spark-classes/"))
                            .orElse(false));

    /** Every other class: the subjects of {@link #SPARK_ONLY_IN_BENCH_SPARK_SOURCES}. */
    static final DescribedPredicate<JavaClass> NOT_COMPILED_FROM_BENCH_SPARK = DescribedPredicate.describe(
            "are not compiled from bench/src/spark", c -> !COMPILED_FROM_BENCH_SPARK.test(c));

    static final ArchRule CORE_IMPORTS_NO_ENGINE_CLI_OR_BENCH = noClasses()
            .that()
            .resideInAnyPackage(CORE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("encore.cpu..", "encore.cuda..", "encore.cli..", "encore.bench..", "encore.serve..")
            .because("core finds the engines through ServiceLoader (AlsBackendProvider) and knows nothing of the CLI, "
                    + "the server or the benchmarks");

    static final ArchRule CPU_IMPORTS_NO_GPU = noClasses()
            .that()
            .resideInAPackage("encore.cpu..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("encore.cuda..")
            .because("the CPU engine is the GPU engine's fallback, not the other way round");

    static final ArchRule ONLY_CLI_IMPORTS_CLI = noClasses()
            .that()
            .resideOutsideOfPackage("encore.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("encore.cli..")
            .because("the CLI is a leaf: commands and output formatting, no library code");

    static final ArchRule ONLY_BENCH_IMPORTS_BENCH = noClasses()
            .that()
            .resideOutsideOfPackage("encore.bench..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("encore.bench..")
            .because("the benchmarks are a leaf");

    static final ArchRule JCUDA_ONLY_IN_CUDA = noClasses()
            .that()
            .resideOutsideOfPackage("encore.cuda..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("jcuda..")
            .because("native resources live only in cuda-kernels (bench has no GPU benchmark of its own today)");

    static final ArchRule SPARK_ONLY_IN_BENCH_SPARK_SOURCES = noClasses()
            .that(NOT_COMPILED_FROM_BENCH_SPARK)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.spark..", "scala..")
            .because("Spark is only on the class path of bench's spark profile; the default build never downloads it");

    static final ArchRule PICOCLI_ONLY_IN_CLI = noClasses()
            .that()
            .resideOutsideOfPackage("encore.cli..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("picocli..")
            .because("command-line parsing belongs to the CLI");

    static final ArchRule HTTP_SERVER_AND_JACKSON_ONLY_IN_SERVE = noClasses()
            .that()
            .resideOutsideOfPackage("encore.serve..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.sun.net.httpserver..", "com.fasterxml.jackson..")
            .because("HTTP and JSON parsing of requests belong to the server module (encore serve)");

    static final ArchRule INTERNAL_ONLY_FROM_OWN_MODULES = classes()
            .that()
            .resideInAPackage("encore.internal..")
            .should()
            .onlyHaveDependentClassesThat()
            .resideInAnyPackage(OWN)
            .because("encore.internal is not API: core's module-info exports it only to Encore's own modules");

    /**
     * The typed kernel-launch facade mirrors the {@code .cu} prototypes argument for argument, so its methods may take
     * more parameters (docs/architecture.md lists this exception).
     */
    static final DescribedPredicate<JavaClass> KERNEL_FACADE = DescribedPredicate.describe(
            "are the typed kernel facade (encore.cuda.AlsKernels, encore.cuda.TopKKernels)",
            c -> c.getName().equals("encore.cuda.AlsKernels") || c.getName().equals("encore.cuda.TopKKernels"));

    private static final ArchCondition<JavaCodeUnit> AT_MOST_SEVEN_PARAMETERS =
            new ArchCondition<>("take at most 7 parameters") {
                @Override
                public void check(JavaCodeUnit unit, ConditionEvents events) {
                    int n = unit.getRawParameterTypes().size();
                    if (n > 7) {
                        events.add(SimpleConditionEvent.violated(
                                unit, unit.getFullName() + " takes " + n + " parameters"));
                    }
                }
            };

    static final ArchRule AT_MOST_SEVEN_PARAMETERS_OUTSIDE_THE_KERNEL_FACADE = codeUnits()
            .that()
            .areDeclaredInClassesThat(DescribedPredicate.not(KERNEL_FACADE))
            .and()
            .areDeclaredInClassesThat()
            .resideOutsideOfPackage("..jmh_generated..") // JMH's generated stubs
            .and()
            .doNotHaveModifier(JavaModifier.SYNTHETIC)
            .should(AT_MOST_SEVEN_PARAMETERS)
            .because("long parameter lists hide the types a call should pass (docs/architecture.md)");

    static final ArchRule NO_CYCLES_BETWEEN_TOP_LEVEL_PACKAGES =
            slices().matching("encore.(*)..").namingSlices("encore.$1").should().beFreeOfCycles();

    static final ArchRule NO_CYCLES_BETWEEN_PACKAGES =
            slices().matching("encore.(**)").namingSlices("encore.$1").should().beFreeOfCycles();

    /**
     * A rule, the classes it is about (to check that it looks at enough of them) and the planted classes of
     * {@code encore..archfixture} that break it.
     */
    record Checked(
            String name,
            ArchRule rule,
            DescribedPredicate<JavaClass> subjects,
            int minSubjects,
            List<String> planted) {}

    private static final DescribedPredicate<JavaClass> ALL = resideInAPackage("encore..");

    /**
     * Every rule with the least number of main classes it must see today (about half of what it sees; a rule that
     * suddenly sees far fewer means the import lost a module) and the planted violations it must report.
     */
    static final List<Checked> ALL_RULES = List.of(
            new Checked(
                    "core imports no engine, cli or bench",
                    CORE_IMPORTS_NO_ENGINE_CLI_OR_BENCH,
                    resideInAnyPackage(CORE),
                    60,
                    List.of("encore.als.archfixture.PlantedEngineImport", "encore.data.archfixture.PlantedCliImport")),
            new Checked(
                    "cpu imports no cuda",
                    CPU_IMPORTS_NO_GPU,
                    resideInAPackage("encore.cpu.."),
                    5,
                    List.of("encore.cpu.archfixture.PlantedGpuImport")),
            new Checked(
                    "only cli imports cli",
                    ONLY_CLI_IMPORTS_CLI,
                    resideOutsideOfPackage("encore.cli.."),
                    100,
                    List.of("encore.data.archfixture.PlantedCliImport")),
            new Checked(
                    "only bench imports bench",
                    ONLY_BENCH_IMPORTS_BENCH,
                    resideOutsideOfPackage("encore.bench.."),
                    100,
                    List.of("encore.cpu.archfixture.PlantedBenchImport")),
            new Checked(
                    "JCuda only in cuda",
                    JCUDA_ONLY_IN_CUDA,
                    resideOutsideOfPackage("encore.cuda.."),
                    100,
                    List.of("encore.cpu.archfixture.PlantedJCudaImport")),
            new Checked(
                    "Spark/Scala only in bench/src/spark",
                    SPARK_ONLY_IN_BENCH_SPARK_SOURCES,
                    NOT_COMPILED_FROM_BENCH_SPARK,
                    100,
                    List.of(
                            "encore.bench.archfixture.PlantedSparkImport",
                            "encore.bench.archfixture.PlantedScalaImport")),
            new Checked(
                    "picocli only in cli",
                    PICOCLI_ONLY_IN_CLI,
                    resideOutsideOfPackage("encore.cli.."),
                    100,
                    List.of("encore.pipeline.archfixture.PlantedPicocliImport")),
            new Checked(
                    "the HTTP server and Jackson only in serve",
                    HTTP_SERVER_AND_JACKSON_ONLY_IN_SERVE,
                    resideOutsideOfPackage("encore.serve.."),
                    100,
                    List.of("encore.archfixture.PlantedHttpServerUse")),
            new Checked(
                    "encore.internal only from Encore's modules",
                    INTERNAL_ONLY_FROM_OWN_MODULES,
                    resideInAPackage("encore.internal.."),
                    3,
                    List.of("encore.archfixture.PlantedInternalUse")),
            new Checked(
                    "at most 7 parameters outside the kernel facade",
                    AT_MOST_SEVEN_PARAMETERS_OUTSIDE_THE_KERNEL_FACADE,
                    ALL,
                    150,
                    List.of("encore.archfixture.PlantedLongParameterList")),
            new Checked(
                    "no cycles between encore.* packages",
                    NO_CYCLES_BETWEEN_TOP_LEVEL_PACKAGES,
                    ALL,
                    150,
                    List.of("encore.eval.archfixture.PlantedCycleA", "encore.synth.archfixture.PlantedCycleB")),
            new Checked(
                    "no cycles between any two packages",
                    NO_CYCLES_BETWEEN_PACKAGES,
                    ALL,
                    150,
                    List.of("encore.eval.archfixture.PlantedCycleA", "encore.synth.archfixture.PlantedCycleB")));
}
