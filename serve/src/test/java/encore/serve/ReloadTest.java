package encore.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A new model file is picked up and swapped in without failing a request; a bad one keeps the old model. */
class ReloadTest {
    @TempDir
    Path dir;

    /** alice's list on {@link Fixture#model()} (generation parity odd) and on {@link #second()} (even). */
    static final String FIRST = "[{\"item\":\"c\",\"score\":3.0},{\"item\":\"b\",\"score\":2.0}]";

    static final String SECOND = "[{\"item\":\"d\",\"score\":5.0},{\"item\":\"a\",\"score\":2.0}]";

    /** alice at (2, −1): a 2, b −1, c 1, d 5, f −2.5. */
    static encore.als.AlsModel second() {
        return Fixture.model(new float[] {2, -1}, new float[] {0.5f, -1});
    }

    static void await(BooleanSupplier done, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static EncoreServer start(List<String> log, ServeOptions.Builder extra) throws Exception {
        return EncoreServer.start(extra.port(0).log(log::add).build());
    }

    private static String alice(Client c) throws Exception {
        HttpResponse<String> r = c.get("/v1/recommend?user=alice&k=2");
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    private static String list(String items, long generation) {
        return "{\"user\":\"alice\",\"items\":" + items + ",\"model\":{\"generation\":" + generation + "}}";
    }

    @Test
    void aNewFileAtThePathIsSwappedIn() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (EncoreServer s = start(log, ServeOptions.builder(m))) {
            Client c = new Client(s.port());
            assertEquals(list(FIRST, 1), alice(c));
            Fixture.save(m, second()); // atomic: temp file + rename, as encore train writes
            await(() -> s.generation() == 2, "generation 2");
            assertEquals(list(SECOND, 2), alice(c));
            assertEquals(1, s.reloads());
            assertEquals(0, s.reloadFailures());
            assertTrue(
                    log.stream()
                            .anyMatch(l -> l.startsWith(
                                    "loaded " + m.toAbsolutePath() + ": generation 2, 3 users, 6 items, rank 2, in ")),
                    log.toString());
            Fixture.save(m, Fixture.model());
            await(() -> s.generation() == 3, "generation 3");
            assertEquals(list(FIRST, 3), alice(c));
        }
    }

    @Test
    void thePollFindsAChangeWithoutTheWatch() throws Exception {
        // the served path is a symbolic link into another directory: replacing the target makes no event in the
        // watched directory (the link's), so only the periodic check can see the change
        Path sub = Files.createDirectories(dir.resolve("models"));
        Path target = Fixture.save(sub.resolve("v1.encore"));
        Path link = Files.createSymbolicLink(dir.resolve("current.encore"), target);
        List<String> log = new CopyOnWriteArrayList<>();
        try (EncoreServer s = start(log, ServeOptions.builder(link).pollInterval(Duration.ofMillis(50)))) {
            Fixture.save(sub.resolve("v1.encore"), second());
            await(() -> s.generation() == 2, "generation 2 by polling");
            assertEquals(list(SECOND, 2), alice(new Client(s.port())));
        }
    }

    @Test
    void requestsInFlightFinishOnTheirModel() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean(true);
        ServeOptions.Builder b = ServeOptions.builder(m).admitted(endpoint -> {
            if (hold.getAndSet(false)) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (EncoreServer s = start(new CopyOnWriteArrayList<>(), b)) {
            Client c = new Client(s.port());
            // the held request has taken its model: a reload meanwhile does not change its answer
            Future<String> held = pool.submit(() -> alice(c));
            assertTrue(entered.await(60, TimeUnit.SECONDS));
            Fixture.save(m, second());
            await(() -> s.generation() == 2, "generation 2");
            release.countDown();
            assertEquals(list(FIRST, 1), held.get(60, TimeUnit.SECONDS));
            assertEquals(list(SECOND, 2), alice(c));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReloadUnderConcurrentLoadFailsNoRequest() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        List<String> problems = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (EncoreServer s = start(new CopyOnWriteArrayList<>(), ServeOptions.builder(m))) {
            Client c = new Client(s.port());
            List<Future<long[]>> clients = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean post = t % 2 == 1;
                clients.add(pool.submit(() -> {
                    long[] seen = new long[2]; // requests answered by odd / even generations
                    while (!stop.get()) {
                        HttpResponse<String> r = post
                                ? c.post(
                                        "/v1/recommend",
                                        "{\"plays\":[{\"item\":\"a\",\"count\":4},{\"item\":\"b\",\"count\":8}],\"k\":2}")
                                : c.get("/v1/recommend?user=alice&k=2");
                        String body = r.body();
                        int at = body.indexOf("\"generation\":");
                        long g = at < 0 ? -1 : Long.parseLong(body.substring(at + 13, body.length() - 2));
                        // the plays fold in to (1, 2) on both models (same item factors): FIRST whatever the generation
                        String want = post || g % 2 == 1 ? FIRST : SECOND;
                        if (r.statusCode() != 200 || g < 1 || !body.contains("\"items\":" + want + ",")) {
                            problems.add(r.statusCode() + " " + body);
                        }
                        seen[(int) (g & 1)]++;
                    }
                    return seen;
                }));
            }
            for (int g = 2; g <= 5; g++) {
                Fixture.save(m, g % 2 == 0 ? second() : Fixture.model());
                long want = g;
                await(() -> s.generation() == want, "generation " + want);
                Thread.sleep(50); // let the clients make requests on this generation
            }
            stop.set(true);
            long odd = 0;
            long even = 0;
            for (Future<long[]> f : clients) {
                long[] seen = f.get(60, TimeUnit.SECONDS);
                odd += seen[1];
                even += seen[0];
            }
            assertEquals(List.of(), problems);
            assertTrue(odd > 0 && even > 0, odd + " answers from odd generations, " + even + " from even ones");
            assertEquals(4, s.reloads());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBadFileKeepsTheOldModelServing() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        List<String> log = new CopyOnWriteArrayList<>();
        try (EncoreServer s = start(log, ServeOptions.builder(m))) {
            Client c = new Client(s.port());
            replace(m, "not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            await(() -> s.reloadFailures() == 1, "one reload failure");
            assertEquals(1, s.generation());
            assertEquals(list(FIRST, 1), alice(c));
            assertTrue(
                    log.stream()
                            .anyMatch(l -> l.startsWith("reload failed, still serving generation 1: ")
                                    && l.contains("m.encore")),
                    log.toString());
            // a truncated model (a crashed non-atomic copy) is refused as well
            Path whole = Fixture.save(dir.resolve("whole.encore"), second());
            byte[] bytes = Files.readAllBytes(whole);
            replace(m, java.util.Arrays.copyOf(bytes, bytes.length / 2));
            await(() -> s.reloadFailures() == 2, "two reload failures");
            assertEquals(1, s.generation());
            HttpResponse<String> health = c.get("/healthz");
            assertTrue(health.body().endsWith("\"reloads\":0,\"reload_failures\":2}"), health.body());
            // the file deleted: still serving, said once
            Files.delete(m);
            s.reload();
            await(() -> s.reloadFailures() == 3, "the missing file reported on reload");
            assertEquals(list(FIRST, 1), alice(c));
            // then a good file again
            Files.move(whole, m, StandardCopyOption.ATOMIC_MOVE);
            await(() -> s.generation() == 2, "generation 2");
            assertEquals(list(SECOND, 2), alice(c));
        }
    }

    private void replace(Path target, byte[] content) throws Exception {
        Path tmp = Files.createTempFile(dir, "tmp", ".part");
        Files.write(tmp, content);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void sighupReloadsEvenAnUnchangedFile() throws Exception {
        Path m = Fixture.save(dir.resolve("m.encore"));
        try (EncoreServer s =
                start(new CopyOnWriteArrayList<>(), ServeOptions.builder(m).sighup(true))) {
            assumeTrue(s.handlesSighup(), "no SIGHUP on this platform");
            assumeTrue(Files.isExecutable(Path.of("/bin/kill")), "no /bin/kill");
            Process kill = new ProcessBuilder(
                            "/bin/kill",
                            "-HUP",
                            Long.toString(ProcessHandle.current().pid()))
                    .inheritIO()
                    .start();
            assertEquals(0, kill.waitFor());
            await(() -> s.generation() == 2, "generation 2 after SIGHUP");
            assertEquals(list(FIRST, 2), alice(new Client(s.port())));
        }
    }
}
