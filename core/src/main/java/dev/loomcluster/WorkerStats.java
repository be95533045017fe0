package dev.loomcluster;

import java.time.Duration;

/**
 * A snapshot of one worker, read without stopping it (each figure is exact, the set is not atomic).
 *
 * @param id                  the worker id
 * @param messagesIn          messages delivered to the worker's {@code onMessage} handlers
 * @param messagesOut         messages the worker sent to the primary
 * @param mailboxDepth        tasks and messages waiting in the worker's mailbox
 * @param uptime              time since the worker was forked
 * @param loopUtilization     share of the loop's time spent running rather than waiting, 0 to 1
 *                            (Node's {@code performance.eventLoopUtilization()})
 * @param restarts            how many times the restart policy re-forked this worker's slot before it
 * @param connectionsReceived connections handed to this worker by shared listening sockets
 * @param connectionsOpen     connections open on this worker now
 */
public record WorkerStats(
        int id,
        long messagesIn,
        long messagesOut,
        int mailboxDepth,
        Duration uptime,
        double loopUtilization,
        int restarts,
        long connectionsReceived,
        long connectionsOpen) {
}
