package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: the restart intensity was exceeded; the pool stops restarting. Committed on the primary loop. */
@Name("dev.loomcluster.RestartGiveUp")
@Label("Restarts Given Up")
@Category("loomcluster")
@Description("More crashes than the restart policy allows within its window: no more restarts")
@StackTrace(false)
final class RestartGiveUpEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Last Crashed Worker Id")
    int workerId;

    @Label("Max Restarts")
    int maxRestarts;

    @Label("Window")
    @Timespan(Timespan.NANOSECONDS)
    long window;
}
