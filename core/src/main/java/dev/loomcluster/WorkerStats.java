package dev.loomcluster;

import java.time.Duration;
import java.util.Objects;

/**
 * A snapshot of one worker, read without stopping it (each figure is exact, the set is not atomic).
 * Immutable; made by the pool ({@link Worker#stats()}) or, for tests of code that consumes stats, by
 * {@link #builder(int)}. New figures get new accessors, so code reading these keeps compiling.
 */
public final class WorkerStats {
    private final int id;
    private final long messagesIn;
    private final long messagesOut;
    private final int mailboxDepth;
    private final Duration uptime;
    private final double loopUtilization;
    private final int restarts;
    private final long connectionsReceived;
    private final long connectionsOpen;
    private final Duration loopLagP50;
    private final Duration loopLagP99;
    private final long loopLagSamples;
    private final long requestsServed;

    private WorkerStats(Builder b) {
        this.id = b.id;
        this.messagesIn = b.messagesIn;
        this.messagesOut = b.messagesOut;
        this.mailboxDepth = b.mailboxDepth;
        this.uptime = b.uptime;
        this.loopUtilization = b.loopUtilization;
        this.restarts = b.restarts;
        this.connectionsReceived = b.connectionsReceived;
        this.connectionsOpen = b.connectionsOpen;
        this.loopLagP50 = b.loopLagP50;
        this.loopLagP99 = b.loopLagP99;
        this.loopLagSamples = b.loopLagSamples;
        this.requestsServed = b.requestsServed;
    }

    /** A builder for stats of worker {@code id}; every figure not set is zero. */
    public static Builder builder(int id) {
        return new Builder(id);
    }

    /** The worker id. */
    public int id() {
        return id;
    }

    /** Messages delivered to the worker's {@code onMessage} handlers. */
    public long messagesIn() {
        return messagesIn;
    }

    /** Messages the worker sent to the primary. */
    public long messagesOut() {
        return messagesOut;
    }

    /** Tasks and messages waiting in the worker's mailbox. */
    public int mailboxDepth() {
        return mailboxDepth;
    }

    /** Time since the worker was forked. */
    public Duration uptime() {
        return uptime;
    }

    /**
     * Share of the loop's time spent running rather than waiting, 0 to 1 (Node's
     * {@code performance.eventLoopUtilization()}).
     */
    public double loopUtilization() {
        return loopUtilization;
    }

    /** How many times the restart policy re-forked this worker's slot before it. */
    public int restarts() {
        return restarts;
    }

    /** Connections handed to this worker by shared listening sockets. */
    public long connectionsReceived() {
        return connectionsReceived;
    }

    /** Connections open on this worker now. */
    public long connectionsOpen() {
        return connectionsOpen;
    }

    /**
     * Median loop lag since the worker started: how late tasks started after they were due. Measured for
     * every timer (its deadline to its start) and for a mailbox entry the pool posts about every quarter
     * of the blocked-loop threshold while the loop is active (posting to its start; none when that check
     * is off). Precise to 25% (histogram buckets); zero before the first sample.
     */
    public Duration loopLagP50() {
        return loopLagP50;
    }

    /** The 99th percentile of the loop lag, as {@link #loopLagP50()}. */
    public Duration loopLagP99() {
        return loopLagP99;
    }

    /** How many lag samples {@link #loopLagP50()} and {@link #loopLagP99()} are computed from. */
    public long loopLagSamples() {
        return loopLagSamples;
    }

    /**
     * HTTP requests the worker's loomcluster HTTP servers ({@code dev.loomcluster.http}) have served, each
     * counted when its exchange ends (response complete, or aborted by a failing handler); zero without
     * that module.
     */
    public long requestsServed() {
        return requestsServed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerStats s && id == s.id && messagesIn == s.messagesIn && messagesOut == s.messagesOut
                && mailboxDepth == s.mailboxDepth && uptime.equals(s.uptime)
                && Double.compare(loopUtilization, s.loopUtilization) == 0 && restarts == s.restarts
                && connectionsReceived == s.connectionsReceived && connectionsOpen == s.connectionsOpen
                && loopLagP50.equals(s.loopLagP50) && loopLagP99.equals(s.loopLagP99)
                && loopLagSamples == s.loopLagSamples && requestsServed == s.requestsServed;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, messagesIn, messagesOut, mailboxDepth, uptime, loopUtilization, restarts,
                connectionsReceived, connectionsOpen, loopLagP50, loopLagP99, loopLagSamples, requestsServed);
    }

    @Override
    public String toString() {
        return "WorkerStats[id=" + id + ", messagesIn=" + messagesIn + ", messagesOut=" + messagesOut
                + ", mailboxDepth=" + mailboxDepth + ", uptime=" + uptime + ", loopUtilization=" + loopUtilization
                + ", restarts=" + restarts + ", connectionsReceived=" + connectionsReceived
                + ", connectionsOpen=" + connectionsOpen + ", loopLagP50=" + loopLagP50 + ", loopLagP99=" + loopLagP99
                + ", loopLagSamples=" + loopLagSamples + ", requestsServed=" + requestsServed + "]";
    }

    /** Builds {@link WorkerStats}. Not thread-safe. */
    public static final class Builder {
        private final int id;
        private long messagesIn;
        private long messagesOut;
        private int mailboxDepth;
        private Duration uptime = Duration.ZERO;
        private double loopUtilization;
        private int restarts;
        private long connectionsReceived;
        private long connectionsOpen;
        private Duration loopLagP50 = Duration.ZERO;
        private Duration loopLagP99 = Duration.ZERO;
        private long loopLagSamples;
        private long requestsServed;

        private Builder(int id) {
            this.id = id;
        }

        public Builder messagesIn(long n) {
            this.messagesIn = n;
            return this;
        }

        public Builder messagesOut(long n) {
            this.messagesOut = n;
            return this;
        }

        public Builder mailboxDepth(int n) {
            this.mailboxDepth = n;
            return this;
        }

        public Builder uptime(Duration d) {
            this.uptime = Objects.requireNonNull(d, "uptime");
            return this;
        }

        public Builder loopUtilization(double u) {
            this.loopUtilization = u;
            return this;
        }

        public Builder restarts(int n) {
            this.restarts = n;
            return this;
        }

        public Builder connectionsReceived(long n) {
            this.connectionsReceived = n;
            return this;
        }

        public Builder connectionsOpen(long n) {
            this.connectionsOpen = n;
            return this;
        }

        /** The loop lag's median and 99th percentile, and the samples they come from. */
        public Builder loopLag(Duration p50, Duration p99, long samples) {
            this.loopLagP50 = Objects.requireNonNull(p50, "p50");
            this.loopLagP99 = Objects.requireNonNull(p99, "p99");
            this.loopLagSamples = samples;
            return this;
        }

        public Builder requestsServed(long n) {
            this.requestsServed = n;
            return this;
        }

        public WorkerStats build() {
            return new WorkerStats(this);
        }
    }
}
