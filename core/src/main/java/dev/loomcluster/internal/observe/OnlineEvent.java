package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: a worker is online. Committed on the primary loop. */
@Name("dev.loomcluster.Online")
@Label("Worker Online")
@Category("loomcluster")
@Description("A worker's thread or process runs and reported online")
@StackTrace(false)
final class OnlineEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Worker Id")
    int workerId;

    @Label("Since Fork")
    @Timespan(Timespan.NANOSECONDS)
    long sinceFork;
}
