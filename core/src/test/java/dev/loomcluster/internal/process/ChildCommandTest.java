package dev.loomcluster.internal.process;

import dev.loomcluster.WorkerContext;
import dev.loomcluster.WorkerMain;
import org.junit.jupiter.api.Test;

import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;

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
     * search its class path for one (which opens every jar on it); a provider the user names, in {@code jvmOptions} or in the
     * child's environment, wins.
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

        // named in the child's environment instead: the command line would override it, so it is left out
        for (String variable : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            List<String> forked = ProcessWorkers.commandFor(command, Map.of(variable, "-Xss1m " + own));
            assertEquals(List.of(), forked.stream().filter(o -> o.startsWith(PROPERTY)).toList(), variable);
            assertEquals(command.size() - 1, forked.size(), variable);
        }
        assertEquals(command, ProcessWorkers.commandFor(command, Map.of("JAVA_TOOL_OPTIONS", "-Xss1m")));
    }
}
