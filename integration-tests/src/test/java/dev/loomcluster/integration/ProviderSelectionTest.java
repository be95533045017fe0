package dev.loomcluster.integration;

import dev.loomcluster.http.LoomHttpServerProvider;

import com.sun.net.httpserver.spi.HttpServerProvider;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The third-party code of this module reaches loomcluster only through the JDK's provider switch. */
class ProviderSelectionTest {
    @Test
    void theJdkSystemPropertySelectsLoomcluster() {
        assertInstanceOf(LoomHttpServerProvider.class, HttpServerProvider.provider(),
                "-Dcom.sun.net.httpserver.HttpServerProvider is set by this module's surefire configuration");
    }
}
