package dev.loomcluster.internal.process;

import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;
import org.junit.jupiter.api.Test;

import java.nio.channels.spi.SelectorProvider;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line a child JVM starts with. */
class ChildCommandTest {

    public static final class Main implements WorkerMain {
        @Override
        public void start(WorkerContext ctx) {
        }
    }

    private static final String PROPERTY = "-Djava.nio.channels.spi.SelectorProvider=";

    /**
     * The child is told this JVM's selector provider, the JDK's own, so that its first channel does not
     * search its class path for one (which opens every jar on it); a provider the user names wins.
     */
    @Test
    void namesThisJvmsSelectorProviderUnlessTheUserDoes() {
        List<String> command = ProcessWorkers.command(List.of("-Xmx64m"), Main.class);
        assertEquals(SelectorProvider.class.getModule(), SelectorProvider.provider().getClass().getModule());
        String expected = PROPERTY + SelectorProvider.provider().getClass().getName();
        assertEquals(1, command.stream().filter(o -> o.startsWith(PROPERTY)).count(), command.toString());
        assertTrue(command.contains(expected), command.toString());
        assertTrue(command.indexOf(expected) < command.indexOf("-Xmx64m"), "before the user's options: " + command);

        String own = PROPERTY + "com.example.OwnProvider";
        List<String> users = ProcessWorkers.command(List.of(own), Main.class);
        assertEquals(List.of(own), users.stream().filter(o -> o.startsWith(PROPERTY)).toList());
    }
}
