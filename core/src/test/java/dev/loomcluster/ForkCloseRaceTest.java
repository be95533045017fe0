package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * fork() racing close(): every fork either throws {@link IllegalStateException} or returns a worker that
 * close() ends (its exit is reported), and no thread is left. A stress test: each round races a few
 * forking threads against close().
 */
@Timeout(120)
class ForkCloseRaceTest {
    private static final int ROUNDS = 100;
    private static final int FORKERS = 3;
    private static final int MAX_FORKS_PER_THREAD = 20;

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void everyWorkerForkedBeforeCloseEnds(ThreadKind kind) {
        for (int round = 0; round < ROUNDS; round++) {
            WorkerPool pool = TestPools.builder("race", kind, ctx -> { }).size(0).build();
            var forked = new CopyOnWriteArrayList<Worker>();
            var go = new CountDownLatch(1);
            List<Thread> forkers = new ArrayList<>();
            for (int t = 0; t < FORKERS; t++) {
                forkers.add(Thread.ofPlatform().name("forker-" + t).start(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < MAX_FORKS_PER_THREAD; i++) {
                            forked.add(pool.fork());
                        }
                    } catch (IllegalStateException closed) {
                        // closed: expected
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            long deadline = System.nanoTime() + Await.TIMEOUT.toNanos();
            while (forked.size() < FORKERS) { // close while the forkers are busy
                if (System.nanoTime() > deadline) {
                    fail("no forks");
                }
                Thread.onSpinWait();
            }
            pool.close();
            forkers.forEach(Await::join);
            List<Integer> notDead = forked.stream().filter(w -> !w.isDead()).map(Worker::id).toList();
            assertEquals(List.of(), notDead, "round " + round + ": workers forked before close() that never ended");
            Threads.assertNoneAlive(pool.name());
        }
    }
}
