package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** JFR: a worker was forked. Committed on the primary loop. */
@Name("dev.loomcluster.Fork")
@Label("Worker Fork")
@Category("loomcluster")
@Description("The pool forked a worker")
@StackTrace(false)
final class ForkEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("Worker Id")
    int workerId;

    @Label("Restarts")
    @Description("How many times the restart policy re-forked this worker's slot before it")
    int restarts;
}
