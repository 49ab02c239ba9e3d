package io.ferrumdb;

import io.ferrumdb.internal.format.ManifestFile;
import io.ferrumdb.internal.format.MetaFile;
import io.ferrumdb.internal.format.RecordFormat;
import io.ferrumdb.internal.format.SegmentHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Where the records of a database's (plaintext, undamaged) segment files are, for tests that damage them. */
final class SegmentLayout {
    /** One record; {@code unitStart} is the offset of the first record of its atomic unit. */
    record Rec(Path file, long offset, int size, byte type, long sequence, byte[] key, byte[] value, long unitStart) {
        boolean contains(Path f, long pos) {
            return file.equals(f) && pos >= offset && pos < offset + size;
        }
    }

    private SegmentLayout() {
    }

    static List<Path> segments(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * For a failure message: every file of {@code dir} with its size, then each record (segment, offset, type,
     * sequence, key) of the keys in {@code keys} (hex), or why the records could not be listed.
     */
    static String listing(Path dir, java.util.Set<String> keys) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                sb.append(p.getFileName()).append('(').append(Files.size(p)).append(") ");
            }
        } catch (IOException e) {
            sb.append("listing failed: ").append(e);
        }
        try {
            for (Rec r : records(dir)) {
                String key = History.HEX.formatHex(r.key());
                if (keys.contains(key)) {
                    sb.append("| ").append(r.file().getFileName()).append('@').append(r.offset())
                            .append(r.type() == RecordFormat.TYPE_PUT ? " put " : " del ").append(key)
                            .append(" seq ").append(r.sequence()).append(' ').append(r.value().length).append('B');
                }
            }
        } catch (RuntimeException e) {
            sb.append("| records unreadable: ").append(e);
        }
        return sb.toString();
    }

    static Path hintOf(Path segment) {
        return segment.resolveSibling(segment.getFileName().toString().replace(".seg", ".hint"));
    }

    static List<Rec> records(Path dir) {
        List<Rec> out = new ArrayList<>();
        for (Path seg : segments(dir)) {
            byte[] b;
            try {
                b = Files.readAllBytes(seg);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int pos = SegmentHeader.SIZE;
            long unitStart = pos;
            while (pos < b.length) {
                int k = RecordFormat.keyLength(b, pos);
                int v = RecordFormat.valueLength(b, pos);
                int size = RecordFormat.HEADER_SIZE + k + v;
                int payload = pos + RecordFormat.HEADER_SIZE;
                out.add(new Rec(seg.toAbsolutePath().normalize(), pos, size, RecordFormat.type(b, pos),
                        RecordFormat.sequence(b, pos), Arrays.copyOfRange(b, payload, payload + k),
                        Arrays.copyOfRange(b, payload + k, payload + k + v), unitStart));
                boolean commit = RecordFormat.isCommit(b, pos);
                pos += size;
                if (commit) {
                    unitStart = pos;
                }
            }
        }
        return out;
    }

    /** The state the records describe, leaving out the atomic unit that starts at {@code skipUnit} in {@code file}. */
    static TreeMap<String, String> replay(List<Rec> records, Path file, long skipUnit) {
        TreeMap<String, String> state = new TreeMap<>();
        records.stream().sorted((a, b) -> Long.compare(a.sequence(), b.sequence()))
                .filter(r -> !(r.file().equals(file) && r.unitStart() == skipUnit))
                .forEach(r -> {
                    String key = History.HEX.formatHex(r.key());
                    if (r.type() == RecordFormat.TYPE_PUT) {
                        state.put(key, History.HEX.formatHex(r.value()));
                    } else {
                        state.remove(key);
                    }
                });
        return state;
    }

    /** Whether some key's current value is read from {@code rec} (a put no later record of its key replaced). */
    static boolean isLive(List<Rec> records, Rec rec) {
        if (rec.type() != RecordFormat.TYPE_PUT) {
            return false;
        }
        return records.stream().noneMatch(r -> Arrays.equals(r.key(), rec.key()) && r.sequence() > rec.sequence());
    }

    /**
     * Leaves {@code segment} (of a closed database) as a crash leaves the segment that was being written: without a
     * hint, and listed in the MANIFEST without the length and header the writer records when it seals a segment.
     * Tests that damage the end of the newest segment to play a torn write start from this.
     */
    static void asBeingWritten(Path segment) {
        try {
            Files.deleteIfExists(hintOf(segment));
            Path dir = segment.getParent();
            Path manifest = dir.resolve("MANIFEST");
            byte[] id = MetaFile.decode(Files.readAllBytes(dir.resolve("META")), dir.resolve("META")).databaseId();
            java.util.NavigableMap<Integer, ManifestFile.Listed> listed = ManifestFile.decode(
                    Files.readAllBytes(manifest), manifest, id);
            int number = Integer.parseInt(segment.getFileName().toString().replace(".seg", ""));
            listed.put(number, ManifestFile.Listed.unsealed(number));
            Files.write(manifest, ManifestFile.encode(id, listed.values()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void flipBit(Path file, long offset, int bit) {
        try {
            byte[] b = Files.readAllBytes(file);
            b[(int) offset] ^= (byte) (1 << bit);
            Files.write(file, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void copyDir(Path from, Path to) {
        try (Stream<Path> s = Files.list(from)) {
            Files.createDirectories(to);
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
