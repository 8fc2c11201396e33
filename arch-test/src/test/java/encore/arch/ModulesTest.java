package encore.arch;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.module.Configuration;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module descriptors of core, cpu-fallback, cuda-kernels, serve and cli, checked as modules. The tests of those modules
 * run on the class path (surefire's {@code useModulePath=false}), where descriptors are ignored, and the CLI ships as
 * a class-path fat jar; so here the modules are resolved on their own, with only what they {@code require}: the
 * descriptors must resolve, bind the engines to core's {@code uses}, hide nothing by accident, and run.
 */
class ModulesTest {
    /** The Encore modules with a descriptor; bench runs on the class path (Spark) and has none. */
    static final Set<String> MODULES = Set.of("encore.core", "encore.cpu", "encore.cuda", "encore.serve", "encore.cli");

    /**
     * Packages deliberately not exported at all, per module. Every other package must be exported (to all or, like
     * encore.internal, to named modules): a new package that is missing from a module-info fails
     * {@link #everyPackageIsExportedOrListedAsConcealed()}.
     */
    static final Map<String, Set<String>> CONCEALED = Map.of(
            "encore.core",
            Set.of(),
            "encore.cpu",
            Set.of(),
            "encore.cuda",
            Set.of(),
            "encore.serve",
            Set.of(),
            "encore.cli",
            Set.of("encore.cli"));

    static ModuleFinder finder;

    @BeforeAll
    static void findModules() throws Exception {
        // each class-path entry that is a module (descriptor or automatic name), by module name
        Map<String, Path> byName = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            moduleName(p).ifPresent(name -> byName.putIfAbsent(name, p));
        }
        // the encore modules and what they require, transitively (system modules come from the boot layer)
        List<Path> paths = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(MODULES);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!seen.add(name) || ModuleFinder.ofSystem().find(name).isPresent()) {
                continue;
            }
            Path p = byName.get(name);
            assertTrue(p != null, "module " + name + " is not on the class path");
            paths.add(p);
            ModuleFinder.of(p).find(name).orElseThrow().descriptor().requires().forEach(r -> todo.add(r.name()));
        }
        finder = ModuleFinder.of(paths.toArray(Path[]::new));
        for (String m : MODULES) {
            assertFalse(
                    finder.find(m).orElseThrow().descriptor().isAutomatic(),
                    m + " has no module-info.class (is " + byName.get(m) + " stale?)");
        }
    }

    /** The module name of a class-path entry: its descriptor's, or a jar's automatic name; empty for neither. */
    static Optional<String> moduleName(Path p) {
        try {
            if (Files.isDirectory(p)) {
                if (!Files.exists(p.resolve("module-info.class"))) {
                    return Optional.empty();
                }
            } else if (p.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    // natives-only jars (jcuda-natives) and the like have no class to make a module of
                    if (jar.stream().noneMatch(e -> e.getName().endsWith(".class"))) {
                        return Optional.empty();
                    }
                }
            } else {
                return Optional.empty();
            }
            return ModuleFinder.of(p).findAll().stream()
                    .findFirst()
                    .map(r -> r.descriptor().name());
        } catch (FindException | java.io.IOException e) {
            return Optional.empty();
        }
    }

    static Configuration resolve(String root) {
        return ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of(root));
    }

    @Test
    void coreBindsBothEnginesAsServiceProviders() {
        // resolving core alone: binding to `uses encore.als.AlsBackendProvider` must bring in both engines
        Set<String> resolved = resolve("encore.core").modules().stream()
                .map(ResolvedModule::name)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(resolved.containsAll(Set.of("encore.cpu", "encore.cuda")), "resolved: " + resolved);
    }

    @Test
    void internalIsExportedOnlyToEncoreModules() {
        ModuleDescriptor core = finder.find("encore.core").orElseThrow().descriptor();
        ModuleDescriptor.Exports internal = core.exports().stream()
                .filter(e -> e.source().equals("encore.internal"))
                .findFirst()
                .orElseThrow();
        assertEquals(Set.of("encore.cpu", "encore.cuda", "encore.cli"), internal.targets());
    }

    @Test
    void everyPackageIsExportedOrListedAsConcealed() {
        List<String> problems = new ArrayList<>();
        for (String m : MODULES) {
            ModuleDescriptor d = finder.find(m).orElseThrow().descriptor();
            Set<String> hidden = new TreeSet<>(d.packages());
            d.exports().forEach(e -> hidden.remove(e.source()));
            if (!hidden.equals(CONCEALED.get(m))) {
                problems.add(m + ": packages not exported " + hidden + ", expected " + CONCEALED.get(m)
                        + " (add `exports` to its module-info.java, or list the package in ModulesTest.CONCEALED)");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void enginesLoadThroughServiceLoaderInAModuleLayer() throws Exception {
        ModuleLayer layer = ModuleLayer.boot()
                .defineModulesWithOneLoader(resolve("encore.cli"), ClassLoader.getPlatformClassLoader());
        // core's own lookup (Backends.providers), run inside the layer: it needs `uses` and both `provides`
        Class<?> backends = layer.findLoader("encore.core").loadClass("encore.als.Backends");
        assertEquals(layer.findModule("encore.core").orElseThrow(), backends.getModule());
        List<?> providers = (List<?>) backends.getMethod("providers").invoke(null);
        Set<String> names = new TreeSet<>();
        for (Object p : providers) {
            names.add((String) p.getClass().getMethod("name").invoke(p));
        }
        assertEquals(Set.of("cpu", "gpu"), names);
    }

    @Test
    void cliRunsAsAModule() throws Exception {
        ModuleLayer.Controller controller = ModuleLayer.defineModulesWithOneLoader(
                resolve("encore.cli"), List.of(ModuleLayer.boot()), ClassLoader.getPlatformClassLoader());
        ModuleLayer layer = controller.layer();
        // encore.cli exports nothing (it is an application); let this test call EncoreCli.execute
        controller.addExports(
                layer.findModule("encore.cli").orElseThrow(), "encore.cli", ModulesTest.class.getModule());
        Class<?> cli = layer.findLoader("encore.cli").loadClass("encore.cli.EncoreCli");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // picocli reads the commands' annotations and fields reflectively: needs `opens encore.cli to info.picocli`
        int rc = (int) cli.getMethod("execute", String[].class, PrintWriter.class, PrintWriter.class)
                .invoke(null, new String[] {"train", "--help"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, rc, "stdout:\n" + out + "\nstderr:\n" + err);
        assertTrue(out.toString().contains("Usage: encore train"), out.toString());
        ModuleReference picocli = finder.find("info.picocli").orElseThrow();
        assertFalse(picocli.descriptor().isAutomatic(), "picocli is a named module");
    }
}
