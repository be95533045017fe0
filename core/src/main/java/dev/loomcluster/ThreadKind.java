package dev.loomcluster;

/** The kind of thread that runs each worker's event loop. */
public enum ThreadKind {
    /** One platform (OS) thread per worker: the choice for a few CPU-bound workers. */
    PLATFORM,
    /** One virtual thread per worker: cheap enough for thousands of workers; blocking waits release the carrier. */
    VIRTUAL
}
