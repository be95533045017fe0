package dev.loomcluster.net;

import dev.loomcluster.Cancellable;
import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.WorkerContext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A line protocol server handler that takes part in hand-overs, as an application on the raw API would:
 * each request line {@code <id>} is answered, after {@code delay} (work in flight), with
 * {@code <id> <worker>}, one request at a time (pipelined lines wait). When its worker disconnects it
 * finishes the request in flight, then hands the connection over with the lines not yet answered; with
 * no worker left to take it, it serves for the drain grace and closes. Runs on the worker's loop.
 */
final class LineService implements ConnectionHandler {
    private final WorkerContext ctx;
    private final Duration delay;
    private ByteBuffer in = ByteBuffer.allocate(256); // write mode
    private boolean busy;
    private boolean draining;
    private boolean graceOver;
    private Cancellable grace;

    LineService(WorkerContext ctx, Duration delay) {
        this.ctx = ctx;
        this.delay = delay;
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        if (in.remaining() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(2 * in.capacity(), in.position() + data.remaining()));
            in.flip();
            in = bigger.put(in);
        }
        in.put(data);
        if (!busy) {
            next(c);
        }
    }

    private void next(Connection c) {
        while (!busy && c.isOpen()) {
            int eol = -1;
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    eol = i;
                    break;
                }
            }
            if (draining && !graceOver && grace == null) {
                leave(c); // between requests: the rest (answered by the next worker) goes with the connection
                return;
            }
            if (eol < 0) {
                if (graceOver) {
                    c.close();
                }
                return;
            }
            byte[] line = new byte[eol];
            in.flip();
            in.get(line).get(); // the line and its '\n'
            in.compact();
            byte[] answer = (new String(line, StandardCharsets.US_ASCII) + " " + ctx.id() + "\n")
                    .getBytes(StandardCharsets.US_ASCII);
            if (delay.isZero()) {
                c.write(answer, 0, answer.length);
            } else {
                busy = true;
                ctx.schedule(delay, () -> {
                    busy = false;
                    c.write(answer, 0, answer.length);
                    next(c);
                });
            }
        }
    }

    @Override
    public void onWorkerDisconnect(Connection c) {
        draining = true;
        if (!busy) {
            next(c);
        }
    }

    /** Hands the connection over, or (no worker left) serves for the drain grace. */
    private void leave(Connection c) {
        if (c.pendingBytes() > 0) { // the last answer is still being written: try again shortly
            ctx.schedule(Duration.ofMillis(1), () -> {
                if (!busy && c.isOpen()) {
                    next(c);
                }
            });
            return;
        }
        in.flip();
        if (c.handOver(in)) {
            return;
        }
        in.compact();
        grace = ctx.schedule(ctx.drainGrace(), () -> {
            graceOver = true;
            if (!busy) {
                next(c);
            }
        });
        next(c);
    }
}
