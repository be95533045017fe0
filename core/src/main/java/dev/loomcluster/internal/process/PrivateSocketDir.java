package dev.loomcluster.internal.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A directory only this user can enter ({@code rwx------}), to hold the Unix sockets on which child
 * processes connect to the primary. Another user cannot reach a socket inside it even in the moment
 * between {@code bind} and the child's {@code connect}; the primary still checks each peer's credentials
 * ({@link NativeSockets#peerCredentials}), and unlinks each socket's name once its child has connected
 * ({@link #unlink}), so no name outlives its use.
 *
 * <p>Paths are checked against {@code sun_path}'s limit ({@link NativeSockets#MAX_UNIX_PATH_BYTES}) when
 * handed out, so a long {@code java.io.tmpdir} fails here with a message rather than in {@code bind}.
 *
 * <p>Not thread-safe for concurrent {@link #close}; {@link #socketPath} and {@link #unlink} may be called from
 * any thread. Owned by whoever created it, who closes it when the pool stops.
 */
public final class PrivateSocketDir implements AutoCloseable {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    // ---- immutable
    private final Path dir;
    private final UserPrincipal owner;

    private PrivateSocketDir(Path dir, UserPrincipal owner) {
        this.dir = dir;
        this.owner = owner;
    }

    /** A new private directory under {@code java.io.tmpdir}, named {@code prefix} plus random characters. */
    public static PrivateSocketDir create(String prefix) throws IOException {
        return create(Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /** A new private directory under {@code parent}, named {@code prefix} plus random characters. */
    public static PrivateSocketDir create(Path parent, String prefix) throws IOException {
        Path dir = Files.createTempDirectory(parent, prefix, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        // The umask cannot widen what createTempDirectory set, but a parent with odd ACLs could: check.
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(dir);
        if (!actual.equals(OWNER_ONLY)) {
            Files.deleteIfExists(dir);
            throw new IOException("socket directory " + dir + " has permissions "
                    + PosixFilePermissions.toString(actual) + ", not rwx------");
        }
        return new PrivateSocketDir(dir, Files.getOwner(dir));
    }

    /** The directory. */
    public Path directory() {
        return dir;
    }

    /** The user who owns the directory: the only one whose processes may connect to its sockets. */
    public UserPrincipal owner() {
        return owner;
    }

    /**
     * The path of socket {@code name} in this directory (nothing is created).
     *
     * @throws IllegalArgumentException if {@code name} is not 1 to 64 of {@code [A-Za-z0-9._-]}
     * @throws IOException if the path exceeds {@link NativeSockets#MAX_UNIX_PATH_BYTES} bytes
     */
    public Path socketPath(String name) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("socket name must be 1 to 64 of [A-Za-z0-9._-]: " + name);
        }
        Path path = dir.resolve(name);
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > NativeSockets.MAX_UNIX_PATH_BYTES) {
            throw new IOException("Unix socket path " + path + " is " + bytes + " bytes; sun_path holds "
                    + NativeSockets.MAX_UNIX_PATH_BYTES + ": use a shorter temporary directory");
        }
        return path;
    }

    /** Removes a socket's name once its peer has connected (the sockets keep working); no-op if already gone. */
    public void unlink(Path socket) throws IOException {
        if (!dir.equals(socket.getParent())) {
            throw new IllegalArgumentException(socket + " is not in " + dir);
        }
        Files.deleteIfExists(socket);
    }

    /** Deletes every name left in the directory, then the directory. */
    @Override
    public void close() throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Files.deleteIfExists(entry);
            }
        }
        Files.deleteIfExists(dir);
    }

    @Override
    public String toString() {
        return "PrivateSocketDir[" + dir + "]";
    }
}
