package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: the restart policy will re-fork a crashed worker's slot. Committed on the primary loop. */
@Name("dev.loomcluster.Restart")
@Label("Worker Restart")
@Category("loomcluster")
@Description("A worker crashed and the restart policy scheduled its replacement")
@StackTrace(false)
final class RestartEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Crashed Worker Id")
    int workerId;

    @Label("Exit Code")
    int exitCode;

    @Label("Restart Number")
    @Description("How many times this slot has been restarted, this one included")
    int restart;

    @Label("Backoff")
    @Timespan(Timespan.NANOSECONDS)
    long backoff;
}
