package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** JFR: the watchdog saw one loop task running longer than the threshold. Committed on the watchdog thread. */
@Name("dev.loomcluster.SlowLoopTask")
@Label("Slow Loop Task")
@Category("loomcluster")
@Description("A task, message handler, timer or I/O callback held an event loop longer than the blocked-loop threshold")
@StackTrace(false) // the committing thread is the watchdog's: the loop's stack is in loopStack
final class SlowLoopTaskEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Worker Id")
    @Description("0 for the pool's primary loop")
    int workerId;

    @Label("Loop")
    String loop;

    @Label("Running For")
    @Description("How long the task had been running when seen (at least)")
    @Timespan(Timespan.NANOSECONDS)
    long runningFor;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Loop Stack")
    String loopStack;
}
