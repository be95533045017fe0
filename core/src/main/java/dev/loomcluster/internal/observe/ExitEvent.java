package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: a worker exited. Committed on the primary loop. */
@Name("dev.loomcluster.Exit")
@Label("Worker Exit")
@Category("loomcluster")
@Description("A worker ended: its exit code or the signal that ended it")
@StackTrace(false)
final class ExitEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Worker Id")
    int workerId;

    @Label("Exit Code")
    int exitCode;

    @Label("Signal")
    @Description("SIGTERM or SIGKILL when the pool killed the worker, empty otherwise")
    String signal;

    @Label("After Disconnect")
    boolean afterDisconnect;

    @Label("Uptime")
    @Timespan(Timespan.NANOSECONDS)
    long uptime;
}
