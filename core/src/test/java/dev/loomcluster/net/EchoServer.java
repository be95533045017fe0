package dev.loomcluster.net;

import dev.loomcluster.Connection;
import dev.loomcluster.ConnectionHandler;
import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * An echo server worker for tests in both isolations (a public class, so a child JVM can make it):
 * listens on loopback, port {@code PORT} from its env (default 0, shared by all), and reports its port as
 * a message. With {@code SECOND=<port>} it then tries a second address and sends what that threw.
 */
public final class EchoServer implements WorkerMain {
    static final ConnectionHandler ECHO = new ConnectionHandler() {
        @Override
        public void onData(Connection connection, ByteBuffer data) {
            connection.write(data);
        }
    };

    @Override
    public void start(WorkerContext ctx) throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        int port = Integer.parseInt(ctx.env().getOrDefault("PORT", "0"));
        var server = ctx.listen(new InetSocketAddress(loopback, port), c -> ECHO);
        ctx.send(server.address().getPort());
        String second = ctx.env().get("SECOND");
        if (second != null) {
            try {
                ctx.listen(new InetSocketAddress(loopback, Integer.parseInt(second)), c -> ECHO);
                ctx.send("second listen worked");
            } catch (RuntimeException | IOException e) {
                ctx.send(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
