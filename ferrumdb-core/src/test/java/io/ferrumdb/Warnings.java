package io.ferrumdb;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the messages logged at WARNING or above by one class's logger (the engine logs through
 * {@link System.Logger}, which writes to java.util.logging here) while it is open; closing stops collecting.
 */
final class Warnings implements AutoCloseable {
    private final Logger logger;
    private final List<String> messages = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (messages) {
                    messages.add(record.getMessage());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    Warnings(Class<?> of) {
        this.logger = Logger.getLogger(of.getName());
        logger.addHandler(capture);
    }

    /** The messages collected so far. */
    List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    @Override
    public void close() {
        logger.removeHandler(capture);
    }
}
