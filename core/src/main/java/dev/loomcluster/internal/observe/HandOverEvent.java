package dev.loomcluster.internal.observe;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR: connections were handed from one worker to another (a worker leaving hands what it had accepted,
 * or holds, to the workers that stay). Committed by {@link #commit} on the thread doing the hand-over.
 */
@Name("dev.loomcluster.HandOver")
@Label("Connection Hand-over")
@Category("loomcluster")
@Description("Connections moved from one worker to another")
@StackTrace(false)
public final class HandOverEvent extends jdk.jfr.Event {
    @Label("Pool")
    String pool;

    @Label("From Worker Id")
    int fromWorker;

    @Label("To Worker Id")
    @Description("The receiving worker, or 0 when they went back to the shared accept queue")
    int toWorker;

    @Label("Address")
    @Description("The listening address the connections were accepted on")
    String address;

    @Label("Connections")
    int connections;

    /**
     * Records one hand-over if a recording with this event enabled runs; costs one check while no
     * recording ever ran, and no allocation that escapes while the event is disabled. Any thread.
     *
     * @param toWorker the receiving worker's id, or 0 for "back to the shared queue"
     */
    public static void commit(String pool, int fromWorker, int toWorker, String address, int connections) {
        if (!Log.jfr()) {
            return;
        }
        HandOverEvent e = new HandOverEvent();
        if (e.shouldCommit()) {
            e.pool = pool;
            e.fromWorker = fromWorker;
            e.toWorker = toWorker;
            e.address = address;
            e.connections = connections;
            e.commit();
        }
    }
}
