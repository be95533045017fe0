package dev.loomcluster;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures what one {@code System.Logger} logs. The JDK's default {@code System.LoggerFinder} maps a
 * {@code System.Logger} to the {@code java.util.logging} logger of the same name, so a handler added
 * there sees every record. Lowers the logger's level to {@code level} while open (the test
 * configuration keeps {@code dev.loomcluster} at WARNING) and restores it on close. Records arrive on
 * the logging thread; reads may come from any thread.
 */
final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (records) {
                records.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture(String name, Level level) {
        this.logger = Logger.getLogger(name);
        this.previous = logger.getLevel();
        handler.setLevel(Level.ALL);
        logger.setLevel(level);
        logger.addHandler(handler);
    }

    /** Captures logger {@code name} at {@code level} and above. */
    static LogCapture of(String name, Level level) {
        return new LogCapture(name, level);
    }

    List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The messages (unformatted: {@code System.Logger} passes them ready-made) of the records so far. */
    List<String> messages() {
        return records().stream().map(LogRecord::getMessage).toList();
    }

    List<LogRecord> matching(Predicate<LogRecord> p) {
        return records().stream().filter(p).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previous);
    }
}
