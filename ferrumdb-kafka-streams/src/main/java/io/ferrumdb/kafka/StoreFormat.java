package io.ferrumdb.kafka;

/**
 * How a store's values are laid out, and so which directory of the task's state directory holds its database.
 * Each format has a directory of its own so that a store never reads values written in the other format.
 */
enum StoreFormat {
    /** Values exactly as Kafka Streams hands them to a plain {@code KeyValueStore<Bytes, byte[]>}. */
    PLAIN("ferrumdb", "FerrumStores.persistentKeyValueStore"),
    /**
     * Kafka's timestamped layout ({@code TimestampedBytesStore}): an 8-byte timestamp, then the value. Kafka
     * Streams writes and restores it in that layout itself; the store keeps the bytes as they come.
     */
    TIMESTAMPED("ferrumdb-timestamped", "FerrumStores.persistentTimestampedKeyValueStore");

    private final String directory;
    private final String supplier;

    StoreFormat(String directory, String supplier) {
        this.directory = directory;
        this.supplier = supplier;
    }

    /** The directory, inside the task's state directory, holding one database per store name. */
    String directory() {
        return directory;
    }

    /** The factory method of {@link FerrumStores} that supplies stores of this format, for error messages. */
    String supplier() {
        return supplier;
    }

    StoreFormat other() {
        return this == PLAIN ? TIMESTAMPED : PLAIN;
    }
}
