package dev.loomcluster.http.internal;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;

import java.net.InetSocketAddress;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The {@link HttpsParameters} a server's {@link HttpsConfigurator} fills for one connection, as the JDK's
 * server does: {@link #setSSLParameters} configures the connection's engine at once; the older setters
 * (protocols, cipher suites, client authentication) are applied after {@code configure} returns, when
 * it did not call {@code setSSLParameters}. Made and used on the worker's loop, when a TLS connection
 * opens.
 */
final class HttpsParametersImpl extends HttpsParameters {
    // ---- immutable
    private final HttpsConfigurator configurator;
    private final InetSocketAddress client;
    private final SSLEngine engine;

    // ---- loop thread
    private boolean sslParametersSet;

    HttpsParametersImpl(HttpsConfigurator configurator, InetSocketAddress client, SSLEngine engine) {
        this.configurator = configurator;
        this.client = client;
        this.engine = engine;
    }

    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return configurator;
    }

    @Override
    public InetSocketAddress getClientAddress() {
        return client;
    }

    @Override
    public void setSSLParameters(SSLParameters params) {
        engine.setSSLParameters(params);
        sslParametersSet = true;
    }

    /** After {@code configure}: the older setters' values, unless setSSLParameters was called. */
    @SuppressWarnings("deprecation")
    void applyLegacySettings() {
        if (sslParametersSet) {
            return;
        }
        if (getCipherSuites() != null) {
            engine.setEnabledCipherSuites(getCipherSuites());
        }
        if (getProtocols() != null) {
            engine.setEnabledProtocols(getProtocols());
        }
        if (getNeedClientAuth()) {
            engine.setNeedClientAuth(true);
        } else if (getWantClientAuth()) {
            engine.setWantClientAuth(true);
        }
    }
}
