package dev.loomcluster;

/**
 * The code of a worker: what Node runs in the {@code cluster.isWorker} branch.
 *
 * <p>Runs on the worker's own event loop thread. {@link #start} sets the worker up (listens, registers
 * message handlers, schedules timers) and returns; the worker then stays online, serving its mailbox,
 * timers and connections, until it exits, disconnects or is killed. A {@code start} that throws ends
 * the worker with exit code 1 and an {@code error} event carrying the exception.
 */
@FunctionalInterface
public interface WorkerMain {

    /**
     * Sets the worker up. Runs on the worker's loop; must not block for long.
     *
     * @param ctx the worker's view of itself and of the pool
     * @throws Exception any failure: the worker exits with code 1
     */
    void start(WorkerContext ctx) throws Exception;
}
