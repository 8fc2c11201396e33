package encore.cuda;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The typed launch facades against the kernels' sources, without a GPU: every {@code extern "C"} kernel of a
 * {@code .cu} file has a facade method whose javadoc quotes its prototype, and whose packed arguments follow that
 * prototype parameter by parameter with the right C type (pointer, int, long long, double).
 */
class KernelFacadeTest {
    private static final Pattern KERNEL =
            Pattern.compile("extern \"C\" __global__ void __launch_bounds__\\(\\d+\\)\\s*(\\w+)\\(([^)]*)\\)");
    private static final Pattern QUOTED = Pattern.compile("\\{@code (\\w+)\\(([^)]*)\\)\\}");
    private static final Pattern ARGS =
            Pattern.compile("new Kernel\\.Args\\((\\d+)\\)((?:\\s*\\.\\w+\\([^;]*?\\))+)\\);", Pattern.DOTALL);
    private static final Pattern PACK = Pattern.compile("\\.(ptr|i32|i64|f64)\\(");

    @ParameterizedTest
    @CsvSource({"als.cu,AlsKernels.java", "topk.cu,TopKKernels.java"})
    void everyKernelHasATypedMethodThatPacksItsPrototype(String cu, String facade) throws IOException {
        Map<String, List<String>> kernels = new LinkedHashMap<>();
        Matcher k = KERNEL.matcher(Files.readString(Path.of("src/main/cuda", cu)));
        while (k.find()) {
            kernels.put(k.group(1), params(k.group(2)));
        }
        assertTrue(!kernels.isEmpty(), "no kernels found in " + cu);
        String java = Files.readString(Path.of("src/main/java/encore/cuda", facade));
        String flat = java.replaceAll("\\n\\s*\\*\\s*", " ").replaceAll("\\s+", " ");
        Matcher q = QUOTED.matcher(flat);
        Map<String, List<String>> quoted = new LinkedHashMap<>();
        Map<String, List<String>> packed = new LinkedHashMap<>();
        while (q.find()) {
            if (!kernels.containsKey(q.group(1))) {
                continue;
            }
            quoted.put(q.group(1), params(q.group(2)));
            Matcher a = ARGS.matcher(flat);
            assertTrue(a.find(q.end()), "no Kernel.Args after the javadoc of " + q.group(1));
            List<String> calls = new ArrayList<>();
            Matcher p = PACK.matcher(a.group(2));
            while (p.find()) {
                calls.add(p.group(1));
            }
            assertEquals(Integer.parseInt(a.group(1)), calls.size(), q.group(1) + ": declared vs packed arguments");
            packed.put(q.group(1), calls);
        }
        assertEquals(kernels.keySet(), quoted.keySet(), "kernels of " + cu + " vs methods of " + facade);
        for (Map.Entry<String, List<String>> e : kernels.entrySet()) {
            List<String> proto = e.getValue();
            assertEquals(proto, quoted.get(e.getKey()), e.getKey() + ": the javadoc quotes the .cu prototype");
            List<String> want = new ArrayList<>();
            for (String param : proto) {
                want.add(
                        param.contains("*")
                                ? "ptr"
                                : param.startsWith("long long ")
                                        ? "i64"
                                        : param.startsWith("int ")
                                                ? "i32"
                                                : param.startsWith("double ") ? "f64" : "? " + param);
            }
            assertEquals(want, packed.get(e.getKey()), e.getKey() + ": argument types in prototype order");
        }
    }

    /** "const float* __restrict__ y, long long rows" → ["const float* y", "long long rows"]. */
    private static List<String> params(String list) {
        List<String> out = new ArrayList<>();
        for (String p : list.split(",")) {
            out.add(p.replace("__restrict__", "")
                    .replaceAll("\\s+", " ")
                    .replace(" *", "*")
                    .trim());
        }
        return out;
    }
}
