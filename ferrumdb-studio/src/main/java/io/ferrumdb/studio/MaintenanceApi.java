package io.ferrumdb.studio;

import com.fasterxml.jackson.databind.JsonNode;
import io.ferrumdb.CompactionResult;
import io.ferrumdb.FerrumDB;
import io.ferrumdb.MaintenanceProgress;
import io.ferrumdb.ProblemWording;
import io.ferrumdb.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.InvalidPathException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.LongSupplier;

/**
 * Compaction (a background job the pages poll) and backup (a request that answers once the copy is complete,
 * whose progress the page polls meanwhile). Both show the engine's {@link MaintenanceProgress}: bytes done of the
 * bytes planned, the total only once the job is complete.
 */
final class MaintenanceApi {
    private final FerrumDB db;
    private final ExecutorService worker;
    private final LongSupplier millis;
    private final PrintStream console;
    private Map<String, Object> job = Map.of("state", "idle");
    /** The running compaction's last report, or null before its first; written by the engine's threads. */
    private volatile MaintenanceProgress compactionProgress;
    /** The last backup: idle, running (with its progress), done or failed. Guarded by this. */
    private Map<String, Object> backupJob = Map.of("state", "idle");

    MaintenanceApi(FerrumDB db, ExecutorService worker, LongSupplier millis, PrintStream console) {
        this.db = db;
        this.worker = worker;
        this.millis = millis;
        this.console = console;
    }

    /** {@code GET /api/compact}: the state of the last compaction job. */
    void status(Call call) throws IOException {
        call.sendJson(200, snapshot());
    }

    /** {@code POST /api/compact}: starts a full compaction; 409 while one is running. */
    void startCompaction(Call call) throws IOException {
        Map<String, Object> started;
        synchronized (this) {
            if ("running".equals(job.get("state"))) {
                throw new ApiException(409, "a compaction is already running");
            }
            Stats before = db.stats();
            started = new LinkedHashMap<>();
            started.put("state", "running");
            started.put("startedAtMillis", millis.getAsLong());
            started.put("totalBytesBefore", before.totalBytes());
            started.put("deadBytesBefore", before.deadBytes());
            started.put("segmentsBefore", before.segments().size());
            job = started;
            compactionProgress = null;
        }
        worker.execute(() -> runCompaction(started));
        call.sendJson(202, snapshot());
    }

    private void runCompaction(Map<String, Object> started) {
        Map<String, Object> finished = new LinkedHashMap<>(started);
        try {
            CompactionResult r = db.compact(p -> compactionProgress = p);
            finished.put("state", "done");
            finished.put("segmentsCompacted", r.segmentsCompacted());
            finished.put("bytesRead", r.bytesRead());
            finished.put("bytesWritten", r.bytesWritten());
            finished.put("bytesReclaimed", r.bytesReclaimed());
            finished.put("durationMillis", r.duration().toMillis());
            finished.put("totalBytesAfter", db.stats().totalBytes());
            // The last report, complete: the page's bar ends at its total rather than vanishing short of it.
            putProgress(finished, compactionProgress);
        } catch (RuntimeException e) {
            finished.put("state", "failed");
            finished.put("error", ProblemWording.describe(e));
            console.println("Studio: compaction failed: " + e);
            e.printStackTrace(console);
        }
        finished.put("finishedAtMillis", millis.getAsLong());
        synchronized (this) {
            job = finished;
        }
    }

    private synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>(job);
        if ("running".equals(out.get("state"))) {
            out.put("elapsedMillis", millis.getAsLong() - (long) out.get("startedAtMillis"));
            putProgress(out, compactionProgress);
        }
        return out;
    }

    /** {@code bytesDone} and {@code bytesPlanned} of {@code progress}, when there is one yet. */
    private static void putProgress(Map<String, Object> out, MaintenanceProgress progress) {
        if (progress != null) {
            out.put("bytesDone", progress.doneBytes());
            out.put("bytesPlanned", progress.plannedBytes());
        }
    }

    /** {@code GET /api/backup}: the running backup's progress, or how the last one ended. */
    synchronized void backupStatus(Call call) throws IOException {
        call.sendJson(200, new LinkedHashMap<>(backupJob));
    }

    /**
     * {@code POST /api/backup} with {@code {"target": "/absolute/dir"}}: a consistent copy into a new or empty
     * directory, while writes go on. Absolute paths only: a relative one would depend on where Studio was started.
     */
    void backup(Call call) throws IOException {
        JsonNode body = call.jsonBody("target");
        if (!body.hasNonNull("target") || !body.get("target").isTextual() || body.get("target").asText().isBlank()) {
            throw ApiException.badRequest("give the backup directory as 'target' (an absolute path)");
        }
        String raw = body.get("target").asText();
        Path target;
        try {
            target = Paths.get(raw);
        } catch (InvalidPathException e) {
            throw ApiException.badRequest("'target' is not a valid path: " + e.getMessage());
        }
        if (!target.isAbsolute()) {
            throw ApiException.badRequest("'target' must be an absolute path, got '" + raw + "'");
        }
        String problem = targetProblem(target);
        if (problem != null) {
            throw ApiException.badRequest(problem);
        }
        long start = millis.getAsLong();
        String where = target.toAbsolutePath().normalize().toString();
        try {
            db.backup(target, p -> backupProgress(where, p));
        } catch (RuntimeException e) {
            Map<String, Object> failed = new LinkedHashMap<>();
            failed.put("state", "failed");
            failed.put("target", where);
            failed.put("error", ProblemWording.describe(e));
            synchronized (this) {
                backupJob = failed;
            }
            throw e;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("target", target.toAbsolutePath().normalize().toString());
        out.put("durationMillis", millis.getAsLong() - start);
        call.sendJson(200, out);
    }

    /** The backup to {@code target} reached {@code p}: running until complete, then done. */
    private synchronized void backupProgress(String target, MaintenanceProgress p) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("state", p.complete() ? "done" : "running");
        state.put("target", target);
        putProgress(state, p);
        backupJob = state;
    }

    /**
     * Why {@code target} cannot receive a backup, in the user's words, or null when it can (a new directory in an
     * existing one, or an empty directory). Checked before the copy starts, so that these mistakes answer 400
     * naming the path instead of failing inside the engine.
     */
    static String targetProblem(Path target) throws IOException {
        // The engine checks again while copying; these checks only turn the common mistakes into plain words.
        if (Files.exists(target)) {
            if (!Files.isDirectory(target)) {
                return "the backup target " + target + " is a file, not a directory: name a new or empty directory";
            }
            try (java.util.stream.Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    return "the backup target " + target + " is not empty: name a new or empty directory";
                }
            } catch (java.nio.file.AccessDeniedException e) {
                return "permission denied reading the backup target " + target;
            }
            return null;
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return "the parent directory of the backup target, " + parent + ", does not exist: create it first "
                    + "or name another place";
        }
        if (!Files.isWritable(parent)) {
            return "the parent directory of the backup target, " + parent + ", is not writable";
        }
        return null;
    }
}
