package dev.loomcluster.internal.observe;

import dev.loomcluster.ExitStatus;

import java.time.Duration;

import static java.lang.System.Logger.Level.DEBUG;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The pool's lifecycle as logs ({@link Log#POOL}, {@link Log#WORKER}) and JFR events, one method per
 * event so that the pool and the worker each make one call. The happy path (fork, online, a normal exit,
 * disconnect, drain, close) logs at DEBUG: the JDK's default configuration prints INFO to the console,
 * and a program's own output (Node-style "Worker 1 started") must not drown in two lines per worker.
 * What an operator must see logs at INFO (a kill, a restart) or WARNING (a crash, a failure, the restart
 * policy giving up, a shutdown that had to kill). Lifecycle events are rare: the JFR events
 * are built only once the Flight Recorder runs and when enabled, log messages only when their level is. Called on the primary loop
 * ({@code forked} to {@code closed}) or a worker's loop ({@code disconnecting}, {@code drained}).
 */
public final class Lifecycle {
    private Lifecycle() {
    }

    /** {@code nanos} as milliseconds with one decimal, for messages. */
    static String millis(long nanos) {
        long tenths = nanos / 100_000;
        return tenths / 10 + "." + tenths % 10 + " ms";
    }

    public static void forked(String pool, int id, int restarts) {
        if (Log.POOL.isLoggable(DEBUG)) {
            Log.POOL.log(DEBUG, "pool " + pool + ": worker " + id + " forked"
                    + (restarts > 0 ? " (restart " + restarts + " of its slot)" : ""));
        }
        if (Log.jfr()) {
            ForkEvent e = new ForkEvent();
            if (e.shouldCommit()) {
                e.pool = pool;
                e.workerId = id;
                e.restarts = restarts;
                e.commit();
            }
        }
    }

    public static void online(String pool, int id, long sinceForkNanos) {
        if (Log.POOL.isLoggable(DEBUG)) {
            Log.POOL.log(DEBUG, "pool " + pool + ": worker " + id + " online after " + millis(sinceForkNanos));
        }
        if (Log.jfr()) {
            OnlineEvent e = new OnlineEvent();
            if (e.shouldCommit()) {
                e.pool = pool;
                e.workerId = id;
                e.sinceFork = sinceForkNanos;
                e.commit();
            }
        }
    }

    /** A worker's code failed (its start, a task or a handler threw). */
    public static void failed(String pool, int id, Throwable error) {
        if (Log.POOL.isLoggable(WARNING)) {
            Log.POOL.log(WARNING, "pool " + pool + ": worker " + id + " failed", error);
        }
    }

    /** A normal exit (code 0) logs at DEBUG, a kill at INFO, a crash at WARNING. */
    public static void exited(String pool, int id, ExitStatus status, boolean afterDisconnect, long uptimeNanos) {
        System.Logger.Level level = status.signaled() ? INFO : status.code() == 0 ? DEBUG : WARNING;
        if (Log.POOL.isLoggable(level)) {
            Log.POOL.log(level, "pool " + pool + ": worker " + id + " exited with "
                    + (status.signaled() ? status.signal() + " (code " + status.code() + ")" : "code " + status.code())
                    + (afterDisconnect ? " after a disconnect" : "") + ", up " + millis(uptimeNanos));
        }
        if (Log.jfr()) {
            ExitEvent e = new ExitEvent();
            if (e.shouldCommit()) {
                e.pool = pool;
                e.workerId = id;
                e.exitCode = status.code();
                e.signal = status.signal();
                e.afterDisconnect = afterDisconnect;
                e.uptime = uptimeNanos;
                e.commit();
            }
        }
    }

    public static void restartScheduled(String pool, int crashedId, int exitCode, int restart, long backoffNanos) {
        if (Log.POOL.isLoggable(INFO)) {
            Log.POOL.log(INFO, "pool " + pool + ": worker " + crashedId + " crashed (code " + exitCode
                    + "), restart " + restart + " of its slot in " + millis(backoffNanos));
        }
        if (Log.jfr()) {
            RestartEvent e = new RestartEvent();
            if (e.shouldCommit()) {
                e.pool = pool;
                e.workerId = crashedId;
                e.exitCode = exitCode;
                e.restart = restart;
                e.backoff = backoffNanos;
                e.commit();
            }
        }
    }

    /** The restart policy gave up: WARNING, as the pool stops healing itself. */
    public static void restartsGivenUp(String pool, int lastCrashedId, int maxRestarts, Duration window) {
        if (Log.POOL.isLoggable(WARNING)) {
            Log.POOL.log(WARNING, "pool " + pool + ": more than " + maxRestarts + " restarts within " + window
                    + " (worker " + lastCrashedId + " crashed last); no more workers will be restarted");
        }
        if (Log.jfr()) {
            RestartGiveUpEvent e = new RestartGiveUpEvent();
            if (e.shouldCommit()) {
                e.pool = pool;
                e.workerId = lastCrashedId;
                e.maxRestarts = maxRestarts;
                e.window = window.toNanos();
                e.commit();
            }
        }
    }

    public static void shutdownStarted(String pool, int workers, Duration timeout) {
        if (Log.POOL.isLoggable(DEBUG)) {
            Log.POOL.log(DEBUG, "pool " + pool + ": closing, disconnecting " + workers + " workers (timeout " + timeout + ")");
        }
    }

    public static void shutdownTimedOut(String pool, int left) {
        if (Log.POOL.isLoggable(WARNING)) {
            Log.POOL.log(WARNING, "pool " + pool + ": shutdown timeout passed, killing the " + left
                    + " workers still running");
        }
    }

    public static void closed(String pool) {
        if (Log.POOL.isLoggable(DEBUG)) {
            Log.POOL.log(DEBUG, "pool " + pool + ": closed");
        }
    }

    /** Worker side: a disconnect began; the worker drains {@code connections} before exiting. */
    public static void disconnecting(String pool, int id, long connections) {
        if (Log.WORKER.isLoggable(DEBUG)) {
            Log.WORKER.log(DEBUG, "pool " + pool + ": worker " + id + " disconnecting, draining "
                    + connections + " open connections");
        }
    }

    /** Worker side: every connection is closed; the disconnecting worker exits. */
    public static void drained(String pool, int id) {
        if (Log.WORKER.isLoggable(DEBUG)) {
            Log.WORKER.log(DEBUG, "pool " + pool + ": worker " + id + " drained, exiting");
        }
    }
}
