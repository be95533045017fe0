package dev.loomcluster;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import static dev.loomcluster.TestPools.builder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker's side: tasks, timers, handler registrations, isDisconnecting. */
@Timeout(60)
class WorkerContextTest {

    /** Tasks run in order; timers by deadline; a cancelled timer never runs; a periodic one repeats. */
    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void tasksAndTimersRunInOrderOnTheLoop(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("timers", kind, ctx -> {
            List<String> log = new ArrayList<>(); // loop thread only
            String loop = Thread.currentThread().getName();
            Runnable check = () -> {
                if (!Thread.currentThread().getName().equals(loop)) {
                    log.add("wrong thread " + Thread.currentThread());
                }
            };
            for (int i = 0; i < 3; i++) {
                int n = i;
                ctx.execute(() -> {
                    check.run();
                    log.add("task " + n);
                });
            }
            int[] pending = {2}; // the 30 ms timer and the periodic one's cancellation
            int[] ticks = {0};
            Runnable maybeReport = () -> {
                if (--pending[0] == 0) {
                    ctx.schedule(Duration.ofMillis(10), () -> { // a cancelled timer must not tick again
                        log.add("ticks " + ticks[0]);
                        ctx.send(List.copyOf(log));
                    });
                }
            };
            ctx.schedule(Duration.ofMillis(30), () -> {
                log.add("timer 30");
                maybeReport.run();
            });
            ctx.schedule(Duration.ofMillis(10), () -> log.add("timer 10"));
            Cancellable cancelled = ctx.schedule(Duration.ofMillis(20), () -> log.add("cancelled timer ran"));
            Cancellable[] once = new Cancellable[1];
            once[0] = ctx.schedule(Duration.ofMillis(1), () -> log.add("once"));
            log.add("cancel " + cancelled.cancel() + " " + cancelled.cancel());
            AtomicReference<Cancellable> periodic = new AtomicReference<>();
            periodic.set(ctx.scheduleAtFixedRate(Duration.ofMillis(1), Duration.ofMillis(2), () -> {
                check.run();
                if (++ticks[0] == 3) {
                    log.add("periodic cancel " + periodic.get().cancel());
                    log.add("periodic: once cancel after run " + once[0].cancel());
                    maybeReport.run();
                }
            }));
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> report.add(m));
            pool.fork();
            @SuppressWarnings("unchecked")
            List<String> log = (List<String>) Await.take("the worker's log", report);
            List<String> withoutPeriodic = log.stream().filter(e -> !e.startsWith("periodic")).toList();
            assertEquals(List.of("cancel true false", "task 0", "task 1", "task 2", "once", "timer 10", "timer 30",
                    "ticks 3"), withoutPeriodic);
            assertEquals(List.of("periodic cancel true", "periodic: once cancel after run false"),
                    log.stream().filter(e -> e.startsWith("periodic")).toList());
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void removedMessageHandlerGetsNothing(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("handlers", kind, ctx -> {
            List<String> got = new ArrayList<>();
            Registration first = ctx.onMessage(m -> got.add("first " + m));
            ctx.onMessage(m -> {
                got.add("second " + m);
                if ("1".equals(m)) {
                    first.remove();
                } else {
                    ctx.send(List.copyOf(got));
                }
            });
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> report.add(m));
            Worker w = pool.fork();
            w.send("1");
            w.send("2");
            assertEquals(List.of("first 1", "second 1", "second 2"), Await.take("report", report));
            assertEquals(2, w.stats().messagesIn());
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void isDisconnectingInsideTheHook(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("disconnecting", kind, ctx -> {
            boolean atStart = ctx.isDisconnecting();
            ctx.onDisconnect(() -> ctx.send(List.of(atStart, ctx.isDisconnecting())));
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> report.add(m));
            Worker w = pool.fork();
            w.disconnect();
            assertEquals(List.of(false, true), Await.take("report", report));
        }
        Threads.assertNoneAlive(pool.name());
    }

    @ParameterizedTest
    @EnumSource(ThreadKind.class)
    void argumentsAreChecked(ThreadKind kind) {
        var report = new LinkedBlockingQueue<Object>();
        WorkerPool pool = builder("args", kind, ctx -> {
            List<String> errors = new ArrayList<>();
            for (Runnable call : List.<Runnable>of(
                    () -> ctx.execute(null),
                    () -> ctx.schedule(null, () -> { }),
                    () -> ctx.schedule(Duration.ZERO, null),
                    () -> ctx.scheduleAtFixedRate(Duration.ZERO, Duration.ZERO, () -> { }),
                    () -> ctx.onMessage(null),
                    () -> ctx.onDisconnect(null))) {
                try {
                    call.run();
                    errors.add("accepted");
                } catch (NullPointerException | IllegalArgumentException e) {
                    errors.add(e.getClass().getSimpleName());
                }
            }
            ctx.send(errors);
        }).build();
        try (pool) {
            pool.onMessage((w, m) -> report.add(m));
            pool.fork();
            assertEquals(List.of("NullPointerException", "NullPointerException", "NullPointerException",
                    "IllegalArgumentException", "NullPointerException", "NullPointerException"),
                    Await.take("report", report));
            assertThrows(NullPointerException.class, () -> pool.fork(null));
            assertThrows(NullPointerException.class, () -> pool.onExit(null));
        }
        Threads.assertNoneAlive(pool.name());
    }
}
