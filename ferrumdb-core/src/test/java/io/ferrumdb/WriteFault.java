package io.ferrumdb;

import java.util.Random;

/**
 * The write-path failures the front ends' write-failure tests inject through {@link FaultFileIO}: a failed write, a
 * failed fsync, a full disk; one place for how each is armed, healed and worded.
 */
public enum WriteFault {
    WRITE, FORCE, DISK_FULL;

    /** The words every error caused by one of these faults carries (the injected exception's message). */
    public static final String[] WORDS = {"injected failure of", "No space left on device"};

    /** Arms the fault to strike at once: the next write or fsync fails, or the disk has no room left. */
    public void armNext(FaultFileIO io) {
        arm(io, 1, 0);
    }

    /** Arms the fault at a random later point: one of the next 60 writes or fsyncs, or after up to 16 KiB. */
    public void armWithin(FaultFileIO io, Random r) {
        arm(io, 1 + r.nextInt(60), 1 + r.nextInt(16_384));
    }

    private void arm(FaultFileIO io, int nth, long bytesLeft) {
        switch (this) {
            case WRITE -> io.failOn(FaultFileIO.Op.WRITE, nth, null);
            case FORCE -> io.failOn(FaultFileIO.Op.FORCE, nth, null);
            case DISK_FULL -> io.diskSpace(bytesLeft);
        }
    }

    /** What this fault's error says. */
    public String words() {
        return this == DISK_FULL ? WORDS[1] : WORDS[0];
    }

    /** Removes every fault: nothing armed, room on the disk. */
    public static void heal(FaultFileIO io) {
        io.disarm();
        io.diskSpace(Long.MAX_VALUE);
    }
}
