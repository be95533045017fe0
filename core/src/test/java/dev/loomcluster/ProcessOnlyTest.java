package dev.loomcluster;

import dev.loomcluster.internal.loop.EventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.attribute.InnerClassesAttribute;
import java.lang.classfile.attribute.NestHostAttribute;
import java.lang.constant.ClassDesc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;

import static dev.loomcluster.IsolationTest.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What only child JVMs give: real exit codes of halt and System.exit, heap isolation, no orphans, a hostile child. */
@Timeout(60)
class ProcessOnlyTest {

    @Test
    void systemExitAndHaltGiveTheirCodesAndForkEnvIsTheRealEnvironment() {
        WorkerPool pool = builder("p-codes", Isolation.PROCESS, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            var received = new LinkedBlockingQueue<Object>();
            pool.onMessage((w, m) -> received.add(m));
            Worker a = pool.fork(Map.of("ROLE", "alpha"));
            events.await("online 1");
            a.send("env ROLE");
            assertEquals("alpha", Await.take("System.getenv in the child", received));
            a.send("pid");
            assertEquals(a.process().orElseThrow().pid(), Await.take("pid of the child", received));
            a.send("sysexit 3");
            events.await("exit 1 3");

            Worker b = pool.fork();
            events.await("online 2");
            long pid = b.process().orElseThrow().pid();
            b.send("halt 3");
            events.await("exit 2 3");
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            assertEquals(List.of("fork 2", "w.online 2", "online 2", "w.disconnect 2", "disconnect 2", "w.exit 2 3",
                    "exit 2 3"), events.of(2));
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * A child that dies while the primary writes to it is reported, and its channel's threads end: the
     * write that fails does not close the channel under the primary loop, which reads the end and reports
     * the exit (a channel closed under it left its writer thread behind, or the exit unreported).
     */
    @Test
    void aChildThatDiesWhileThePrimaryWritesToItIsReported() throws Exception {
        WorkerPool pool = builder("p-diewrite", Isolation.PROCESS, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            for (int id = 1; id <= 3; id++) {
                Worker w = pool.fork();
                events.await("online " + id);
                var stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread sender = Thread.ofPlatform().name("p-diewrite-sender").start(() -> {
                    while (!stop.get() && w.send(new byte[256])) {
                        java.util.concurrent.locks.LockSupport.parkNanos(30_000); // quiet gaps: senders write directly
                    }
                });
                try {
                    w.send("halt 3");
                    events.await("exit " + id + " 3");
                } finally {
                    stop.set(true);
                    sender.join(5_000);
                }
            }
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * The pool's idle strategy reaches its children, and {@link IdleStrategy#auto()} counts the pool's loops
     * in every process: each child counts the primary's loop and its live siblings', the primary its live
     * children. A child whose strategy spins for a minute keeps a thread running while idle; one that parks does not.
     */
    @Test
    void theIdleStrategyAndTheCountOfLoopsReachTheChildren() throws Exception {
        int before = EventLoop.loopsElsewhere();
        int spinning;
        WorkerPool spinners = builder("p-spin", Isolation.PROCESS, Mains.Echo.class).size(2)
                .idleStrategy(IdleStrategy.backoff(Duration.ofMinutes(1), Duration.ZERO)).build();
        try (spinners) {
            Events events = Events.of(spinners);
            var received = new LinkedBlockingQueue<Object>();
            spinners.onMessage((w, m) -> received.add(m));
            spinners.start();
            events.await("online 1");
            events.await("online 2");
            Await.until("the primary counts its two children", () -> EventLoop.loopsElsewhere() == before + 2);
            Worker first = spinners.workers().get(1);
            assertLoopsElsewhere(first, received, 2); // the primary's and its sibling's
            Worker third = spinners.fork();
            events.await("online 3");
            assertLoopsElsewhere(first, received, 3);
            third.kill();
            events.await("exit 3 143 SIGTERM");
            assertLoopsElsewhere(first, received, 2);
            spinning = runnableWhileIdle(first);
        }
        Await.until("the primary counts no child of a closed pool", () -> EventLoop.loopsElsewhere() == before);

        WorkerPool parkers = builder("p-park", Isolation.PROCESS, Mains.Echo.class)
                .idleStrategy(IdleStrategy.park()).build();
        try (parkers) {
            Events events = Events.of(parkers);
            parkers.start();
            events.await("online 1");
            int parking = runnableWhileIdle(parkers.workers().get(1));
            assertTrue(spinning >= 40 && parking <= 15, "of 50 looks at an idle child, one whose pool's strategy"
                    + " spins had a thread running or runnable in " + spinning + ", one that parks in " + parking);
        }
        Threads.assertNoneAlive(spinners.name());
        Threads.assertNoneAlive(parkers.name());
    }

    /** Asks {@code w} until it counts {@code expected} loops of its pool in other processes. */
    private static void assertLoopsElsewhere(Worker w, LinkedBlockingQueue<Object> received, int expected) {
        Object last = null;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            received.clear();
            w.send("loops");
            last = Await.take("the loop count of worker " + w.id(), received);
            if (Integer.valueOf(expected).equals(last)) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        assertEquals(expected, last, "loops of the pool in other processes, as worker " + w.id() + " counts them");
    }

    /**
     * Of 50 looks at {@code w}'s idle child JVM, 10 ms apart, after it has been idle for half a second: in
     * how many one of its threads was running or ready to run (a spinning loop is, however busy the CPUs).
     */
    private static int runnableWhileIdle(Worker w) throws Exception {
        Path tasks = Path.of("/proc", Long.toString(w.process().orElseThrow().pid()), "task");
        Thread.sleep(500);
        int runnable = 0;
        for (int i = 0; i < 50; i++) {
            try (var threads = Files.list(tasks)) {
                if (threads.anyMatch(ProcessOnlyTest::isRunnable)) {
                    runnable++;
                }
            }
            Thread.sleep(10);
        }
        return runnable;
    }

    private static boolean isRunnable(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'R'; // the state follows "(name) "
        } catch (java.io.IOException e) {
            return false; // the thread ended meanwhile
        }
    }

    @Test
    void aChildThatExhaustsItsHeapExitsAndItsSiblingServesOn() {
        WorkerPool pool = builder("p-oom", Isolation.PROCESS, Mains.Echo.class).size(2)
                .jvmOptions(List.of("-Xmx32m", "-XX:TieredStopAtLevel=1")).build();
        try (pool) {
            Events events = Events.of(pool);
            var received = new LinkedBlockingQueue<Object>();
            pool.onMessage((w, m) -> received.add(w.id() + ":" + m));
            pool.start();
            events.await("online 1");
            events.await("online 2");
            pool.workers().get(1).send("oom");
            events.await("exit 1 3"); // -XX:+ExitOnOutOfMemoryError
            pool.workers().get(2).send("still here");
            assertEquals("2:still here", Await.take("echo from the sibling", received));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @Test
    void aClassTheChildCannotFindExitsWithOneAndAnError() throws Exception {
        // a WorkerMain class that exists only in a class loader of this JVM, not on the child's class path
        byte[] original;
        try (var in = Mains.Idle.class.getResourceAsStream("Mains$Idle.class")) {
            original = in.readAllBytes();
        }
        ClassFile cf = ClassFile.of();
        String name = "dev.loomcluster.generated.OnlyInThePrimary";
        byte[] renamed = cf.transformClass(cf.parse(original), ClassDesc.of(name),
                ClassTransform.dropping(e -> e instanceof InnerClassesAttribute || e instanceof NestHostAttribute));
        ClassLoader loader = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                if (n.equals(name)) {
                    return defineClass(n, renamed, 0, renamed.length);
                }
                throw new ClassNotFoundException(n);
            }
        };
        Class<? extends WorkerMain> type = Class.forName(name, true, loader).asSubclass(WorkerMain.class);
        WorkerPool pool = builder("p-nocls", Isolation.PROCESS, type).build();
        try (pool) {
            Events events = Events.of(pool);
            pool.fork();
            events.await("exit 1 1");
            String error = events.starting("error 1").getFirst();
            assertTrue(error.contains(name + " not found"), error);
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * A child JVM that exits before it connects (here the JVM refuses an option) is an error naming its exit
     * code, then the disconnect and the exit with that code.
     */
    @Test
    void aChildJvmThatExitsBeforeItConnectsIsAnErrorAndAnExit() {
        List<String> events = startFailure("p-nostart", Mains.Echo.class, "-XX:+NoSuchOptionOfLoomcluster", 1);
        assertEquals(List.of("fork 1", "w.error 1", "error 1", "w.disconnect 1", "disconnect 1", "w.exit 1 1",
                "exit 1 1"), events.stream().map(e -> e.startsWith("w.error") ? "w.error 1"
                : e.startsWith("error") ? "error 1" : e).toList());
    }

    /**
     * Forks one worker of a pool whose children get {@code option}, waits for its exit with {@code code},
     * checks its error says it exited with that code before it connected, and returns its events.
     */
    private static List<String> startFailure(String base, Class<? extends WorkerMain> main, String option, int code) {
        WorkerPool pool = builder(base, Isolation.PROCESS, main).jvmOptions(List.of(option)).build();
        List<String> all;
        try (pool) {
            Events events = Events.of(pool);
            pool.fork();
            events.await("exit 1 " + code);
            String error = events.starting("error 1").getFirst();
            assertTrue(error.contains("exited with code " + code + " before it connected"), error);
            all = events.of(1);
        }
        Threads.assertNoneAlive(pool.name());
        return all;
    }

    /**
     * A worker that calls {@code System.exit} in its {@code start} (possibly before its child has connected
     * to the primary) is online, then exits with that code, with no error: what the child sent leaves first.
     */
    @Test
    void systemExitInStartIsOnlineThenTheExitCode() {
        WorkerPool pool = builder("p-startexit", Isolation.PROCESS, Mains.Echo.class).build();
        try (pool) {
            Events events = Events.of(pool);
            for (int id = 1; id <= 3; id++) {
                pool.fork(Map.of("MODE", "sysexit"));
                events.await("exit " + id + " 7");
                assertEquals(List.of("fork " + id, "w.online " + id, "online " + id, "w.disconnect " + id,
                        "disconnect " + id, "w.exit " + id + " 7", "exit " + id + " 7"), events.of(id));
            }
        }
        Threads.assertNoneAlive(pool.name());
    }

    /**
     * A child whose IPC connection fails with an Error (here its JVM is told a selector provider that does
     * not exist) exits, even though its worker started meanwhile and would idle for ever: an error naming
     * the exit code, and an exit.
     */
    @Test
    void aChildThatCannotMakeItsChannelExitsEvenIfItsWorkerRuns() {
        startFailure("p-noprovider", Mains.Idle.class, "-Djava.nio.channels.spi.SelectorProvider=no.such.Provider", 2);
    }

    @Test
    void hostileBytesEndOnlyThatWorkerWithAnErrorNamingTheProblem() {
        WorkerPool pool = builder("p-hostile", Isolation.PROCESS, Mains.Hostile.class).size(0).build();
        WorkerPool witness = builder("p-witness", Isolation.PROCESS, Mains.Echo.class).build();
        try (pool; witness) {
            Events events = Events.of(pool);
            var echoes = new LinkedBlockingQueue<Object>();
            witness.onMessage((w, m) -> echoes.add(m));
            Worker sibling = witness.fork();
            Map<String, String> attacks = Map.of(
                    "7fffffff03", "exceeds maxFrameBytes",                       // absurd length
                    "000000026300", "unknown kind 99",                           // unknown frame kind
                    // a MESSAGE naming a class that is not a record: [RECORD][new class #0 "java.lang.Thread"][0 components]
                    "0000001a03" + "0e" + "0000" + "0a00000010" + hex("java.lang.Thread") + "0000", "java.lang.Thread");
            int id = 0;
            for (var attack : attacks.entrySet()) {
                id++;
                Worker w = pool.fork();
                events.await("online " + id);
                w.send("raw " + attack.getKey());
                events.await("exit " + id + " 137 SIGKILL");
                String error = events.starting("error " + id).getFirst();
                assertTrue(error.contains("sent bad IPC data") && error.contains(attack.getValue()), error);
                assertTrue(sibling.send("ping " + id));
                assertEquals("ping " + id, Await.take("echo from an unrelated worker", echoes));
            }
        }
        Threads.assertNoneAlive(pool.name());
        Threads.assertNoneAlive(witness.name());
    }

    private static String hex(String s) {
        return java.util.HexFormat.of().formatHex(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A primary killed with SIGKILL leaves no child behind: each sees its channel end and halts. */
    @Test
    void childrenDieWithinTwoSecondsOfTheirPrimaryKilledBySigkill() throws Exception {
        orphanCheck("idle");
    }

    /** The same while the children's loops, which read their channels, are blocked by user code. */
    @Test
    void childrenWithBlockedLoopsDieWithinTwoSecondsOfTheirPrimaryKilledBySigkill() throws Exception {
        orphanCheck("busy");
    }

    private void orphanCheck(String mode) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // its own temporary directory: a primary killed by SIGKILL cannot remove its socket directory
        Path tmp = Files.createTempDirectory("orphan-check");
        Process primary = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + tmp,
                "-cp", System.getProperty("java.class.path"), OrphanCheckPrimary.class.getName(), mode)
                .redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        try (var out = new BufferedReader(new InputStreamReader(primary.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (pids.isEmpty() && (line = out.readLine()) != null) {
                if (line.startsWith("PIDS ")) {
                    for (String p : line.substring(5).trim().split(" ")) {
                        pids.add(Long.parseLong(p));
                    }
                }
            }
            assertEquals(2, pids.size(), "the primary printed its children's pids");
            for (long pid : pids) {
                assertTrue(alive(pid), "child " + pid + " runs before its primary is killed");
            }
            primary.destroyForcibly(); // SIGKILL: no shutdown hook, no goodbye
            primary.waitFor();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (pids.stream().anyMatch(ProcessOnlyTest::alive) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            for (long pid : pids) {
                assertFalse(alive(pid), "child " + pid + " still runs 2 s after its primary was killed");
            }
        } finally {
            primary.destroyForcibly();
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            try (var files = Files.walk(tmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Alive and not a zombie (an orphan is reaped by whatever reaps orphans, maybe later). */
    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
