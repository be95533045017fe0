package dev.loomcluster.internal.worker;

import java.net.BindException;
import java.util.ServiceConfigurationError;

/**
 * Turns the failures of a worker that a misconfiguration causes, and that name nothing useful, into
 * errors that say what to do. The http module cannot catch these itself: in both cases none of its code
 * runs. Stateless; any thread.
 */
final class StartFailures {
    static final String PROVIDER_PROPERTY = "com.sun.net.httpserver.HttpServerProvider";
    static final String PROVIDER = "dev.loomcluster.http.LoomHttpServerProvider";
    private static final String HTTP_MODULE = "dev.loomcluster.http";

    private StartFailures() {
    }

    /** {@code failure} itself, or an {@link IllegalStateException} that explains it and carries it as cause. */
    static Throwable explain(Throwable failure, int workerId) {
        if (failure instanceof BindException && thrownBy(failure, "sun.net.httpserver.")) {
            return new IllegalStateException("worker " + workerId + ": HttpServer.create used the JDK's own"
                    + " server, which binds the port for itself and cannot share it between workers (" + failure.getMessage()
                    + "). Select loomcluster's provider before the first HttpServer.create: -D" + PROVIDER_PROPERTY
                    + "=" + PROVIDER + ", or dev.loomcluster.http.LoomHttp", failure);
        }
        if (failure instanceof ServiceConfigurationError && thrownBy(failure, "com.sun.net.httpserver.spi.")
                && PROVIDER.equals(System.getProperty(PROVIDER_PROPERTY))
                && ModuleLayer.boot().findModule(HTTP_MODULE).isEmpty()) {
            return new IllegalStateException("worker " + workerId + ": " + PROVIDER_PROPERTY + " names " + PROVIDER
                    + ", which cannot be loaded: the module " + HTTP_MODULE + " is not resolved. On the module path add"
                    + " --add-modules " + HTTP_MODULE + " (or 'requires " + HTTP_MODULE + "' in your module); on the"
                    + " class path, add the loomcluster-http jar", failure);
        }
        return failure;
    }

    private static boolean thrownBy(Throwable t, String classPrefix) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().startsWith(classPrefix)) {
                return true;
            }
        }
        return false;
    }
}
