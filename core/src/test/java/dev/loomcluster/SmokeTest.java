package dev.loomcluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SmokeTest {
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void echo(ThreadKind kind) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        var replies = new LinkedBlockingQueue<Object>();
        try (WorkerPool pool = WorkerPool.builder(ctx -> ctx.onMessage(ctx::send)).size(1).threads(kind).build()) {
            pool.onFork(w -> events.add("fork " + w.id()));
            pool.onOnline(w -> events.add("online " + w.id()));
            pool.onDisconnect(w -> events.add("disconnect " + w.id()));
            pool.onExit((w, s) -> events.add("exit " + w.id() + " " + s));
            pool.onMessage((w, m) -> replies.add(m));
            pool.start();
            assertEquals(true, pool.send(1, "hi"));
            assertEquals("hi", replies.poll(5, TimeUnit.SECONDS));
            pool.workers().get(1).disconnect().get(5, TimeUnit.SECONDS);
        }
        assertEquals(List.of("fork 1", "online 1", "disconnect 1", "exit 1 ExitStatus[code=0, signal=]"), events);
    }
}
