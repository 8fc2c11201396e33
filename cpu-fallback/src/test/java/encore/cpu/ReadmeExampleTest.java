package encore.cpu;

import encore.als.AlsModel;
import encore.als.FoldIn;
import encore.als.RankedItems;
import encore.als.Recommendations;
import encore.als.io.ModelStore;
import encore.matrix.Csr;
import encore.synth.GeneratorConfig;
import encore.synth.ListeningsGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's library example, read from README.md, compiled with the JDK's compiler and run on generated data: if
 * the README and the API drift apart, this fails.
 */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    static String snippet() throws Exception {
        return snippet("// csv: a listenings file");
    }

    static String snippet(String first) throws Exception {
        Path readme = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("cpu-fallback"))) {
                readme = p.resolve("README.md");
                break;
            }
        }
        assertNotNull(readme, "README.md not found above " + Path.of("").toAbsolutePath());
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int marker = text.indexOf(first);
        assertTrue(marker > 0, "the library example '" + first + "' is missing from README.md");
        int start = text.lastIndexOf("```java", marker);
        int end = text.indexOf("```", marker);
        return text.substring(start + "```java".length(), end);
    }

    @Test
    void readmeLibraryExampleCompilesAndRuns() throws Exception {
        String source =
                "import encore.als.*;\nimport encore.data.*;\nimport encore.als.io.*;\nimport java.nio.file.*;\n"
                        + "import java.util.*;\n"
                        + "public class ReadmeSnippet {\n"
                        + "  public static AlsModel run(Path csv, Path modelFile) throws Exception {\n"
                        + snippet()
                        + "\n    return loaded;\n  }\n"
                        + "  public static Object[] serve(ModelStore.Stored stored) throws Exception {\n"
                        + snippet("// stored: a model file loaded")
                        + "\n    return new Object[] {newUser, forNewUser, forUser, why};\n  }\n}\n";
        Path src = dir.resolve("src").resolve("ReadmeSnippet.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK");
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(
                null,
                diag,
                diag,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                src.toString());
        assertEquals(0, rc, "the README example does not compile:\n" + diag + "\n" + source);

        Path csv = dir.resolve("listenings.csv");
        new ListeningsGenerator(GeneratorConfig.forRows(30_000, 8)).write(csv);
        Path modelFile = dir.resolve("model.encore");
        try (URLClassLoader cl =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeExampleTest.class.getClassLoader())) {
            Object loaded = cl.loadClass("ReadmeSnippet")
                    .getMethod("run", Path.class, Path.class)
                    .invoke(null, csv, modelFile);
            AlsModel model = (AlsModel) loaded;
            assertTrue(Files.size(modelFile) > 0);
            assertEquals(32, model.rank());
            int u = model.users().indexOf("user_000042");
            assertTrue(model.hasUser(u));
            assertEquals(10, model.recommendForAllUsers(10, null).count(u));
            // the serving block, on the same model with labels the generator's catalogue does not have: the two plays
            // are unknown (index = size), so nothing can be folded in and the new user's list is empty
            ModelStore.Stored stored = ModelStore.load(modelFile);
            Object[] served = (Object[]) cl.loadClass("ReadmeSnippet")
                    .getMethod("serve", ModelStore.Stored.class)
                    .invoke(null, stored);
            FoldIn.User newUser = (FoldIn.User) served[0];
            assertFalse(newUser.solved());
            assertEquals(2, newUser.ignored());
            assertEquals(0, ((RankedItems) served[1]).size());
            RankedItems forUser = (RankedItems) served[2];
            Csr seen = stored.seen();
            Recommendations want = model.recommendForAllUsers(10, seen);
            assertArrayEquals(want.ids(u), forUser.items());
            FoldIn.Explanation why = (FoldIn.Explanation) served[3];
            assertEquals(Math.min(5, seen.rowLength(u)), why.top().size());
            assertEquals(model.predict(u, forUser.item(0)), why.score());
        }
    }
}
