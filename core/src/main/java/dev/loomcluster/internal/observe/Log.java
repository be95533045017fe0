package dev.loomcluster.internal.observe;

/**
 * The loggers of loomcluster ({@link System.Logger}, so they go wherever the application routes the JDK's
 * platform logging: {@code java.util.logging} by default, SLF4J or Log4j through their bridges). Callers
 * check {@link System.Logger#isLoggable} before building a message, so a level that is off costs one
 * check and no allocation. Any thread.
 */
public final class Log {
    /** The primary: fork, online, exit, restarts, give-up, shutdown. */
    public static final System.Logger POOL = System.getLogger("dev.loomcluster.pool");
    /** A worker's own side: disconnect, drain, failures of its code. */
    public static final System.Logger WORKER = System.getLogger("dev.loomcluster.worker");
    /** Sockets: accept failures, and peer I/O failures (DEBUG) that close a connection. */
    public static final System.Logger NET = System.getLogger("dev.loomcluster.net");
    /** The blocked-loop watchdog. */
    public static final System.Logger LOOP = System.getLogger("dev.loomcluster.loop");

    private Log() {
    }

    /**
     * Whether a JFR event could be recorded: false until the Flight Recorder is initialized (a recording
     * started with {@code -XX:StartFlightRecording}, {@code jcmd JFR.start} or the API). Checked before an
     * event is created, so a JVM that never records never loads the event classes, whose first use costs
     * hundreds of milliseconds. One volatile read.
     */
    static boolean jfr() {
        return jdk.jfr.FlightRecorder.isInitialized();
    }

    /** Logs a peer I/O failure at DEBUG: {@code what} failed on {@code where} (the caller closes it). */
    public static void peerFailure(String what, Object where, Throwable cause) {
        if (NET.isLoggable(System.Logger.Level.DEBUG)) {
            NET.log(System.Logger.Level.DEBUG, what + " failed on " + where + ": " + cause);
        }
    }
}
