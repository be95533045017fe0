package dev.loomcluster.internal.primary;

import dev.loomcluster.ExitStatus;
import dev.loomcluster.Worker;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Rolling replacement and resizing of a pool's workers ({@code reload()} and {@code scale(n)}). Every
 * step runs on the primary loop; operations run one after the other, in the order they were asked for.
 * It learns which addresses each worker listens on from the pool's {@code listening} events, so a
 * replacement is put in service only once it listens on all of them. {@link #reload()} and
 * {@link #scale(int)} may be called from any thread.
 */
final class Reloader {
    // ---- immutable
    private final PoolImpl pool;

    // ---- primary loop
    private final Map<Integer, Set<InetSocketAddress>> listening = new HashMap<>();
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    Reloader(PoolImpl pool) {
        this.pool = pool;
        pool.onListening((w, address) -> listening.computeIfAbsent(w.id(), id -> new HashSet<>()).add(address));
        pool.onExit((w, status) -> listening.remove(w.id()));
    }

    CompletableFuture<Void> reload() {
        return enqueue(this::reloadAll);
    }

    CompletableFuture<Void> scale(int n) {
        return enqueue(() -> scaleTo(n));
    }

    /** Runs {@code operation} on the primary loop once the operations before it have ended (either way). */
    private CompletableFuture<Void> enqueue(Supplier<CompletableFuture<Void>> operation) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        pool.primary().execute(() -> {
            CompletableFuture<Void> previous = tail;
            CompletableFuture<Void> mine = previous.handle((v, e) -> null)
                    .thenComposeAsync(v -> operation.get(), pool.primary());
            tail = mine;
            mine.whenComplete((v, e) -> {
                if (e != null) {
                    result.completeExceptionally(e instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : e);
                } else {
                    result.complete(null);
                }
            });
        });
        return result;
    }

    /** Connected workers, oldest first. Primary loop. */
    private List<Worker> liveWorkers() {
        List<Worker> list = new ArrayList<>();
        for (Worker w : pool.workers().values()) {
            if (w.isConnected() && !w.exitedAfterDisconnect()) {
                list.add(w);
            }
        }
        return list;
    }

    private CompletableFuture<Void> reloadAll() {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (Worker old : liveWorkers()) {
            chain = chain.thenComposeAsync(v -> replace(old), pool.primary());
        }
        return chain;
    }

    /** Forks old's successor, waits until it serves what old served, then disconnects old. Primary loop. */
    private CompletableFuture<Void> replace(Worker old) {
        if (!old.isConnected() || old.exitedAfterDisconnect()) {
            return CompletableFuture.completedFuture(null); // gone meanwhile: nothing to replace
        }
        Set<InetSocketAddress> wanted = Set.copyOf(listening.getOrDefault(old.id(), Set.of()));
        Worker fresh = pool.fork(old.env());
        return ready(fresh, wanted).thenCompose(v -> old.disconnect());
    }

    /**
     * Completes once {@code w} listens on every address in {@code wanted} (online, if none); fails if it
     * exits first. Primary loop, right after the fork, so no event of {@code w} is missed.
     */
    private CompletableFuture<Void> ready(Worker w, Set<InetSocketAddress> wanted) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        if (wanted.isEmpty()) {
            w.onOnline(() -> ready.complete(null));
        } else {
            Set<InetSocketAddress> seen = new HashSet<>();
            w.onListening(address -> {
                seen.add(address);
                if (seen.containsAll(wanted)) {
                    ready.complete(null);
                }
            });
        }
        w.onExit((ExitStatus status) -> ready.completeExceptionally(new IllegalStateException(
                "worker " + w.id() + " exited (" + status + ") before it was ready"
                        + (wanted.isEmpty() ? "" : " to listen on " + wanted))));
        return ready;
    }

    private CompletableFuture<Void> scaleTo(int n) {
        List<Worker> live = liveWorkers();
        List<CompletableFuture<Void>> steps = new ArrayList<>();
        for (int i = live.size(); i < n; i++) {
            steps.add(ready(pool.fork(), Set.of()));
        }
        for (int i = live.size() - 1; i >= n; i--) { // newest first
            steps.add(live.get(i).disconnect());
        }
        return CompletableFuture.allOf(steps.toArray(CompletableFuture[]::new));
    }
}
