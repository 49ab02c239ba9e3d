package io.ferrumdb;

import java.nio.file.Path;

/**
 * A byte range of a segment file that open did not load: a torn tail that was truncated after a crash, or, in
 * salvage mode, a damaged range that was skipped.
 */
public record DroppedRange(Path file, long offset, long length, String reason) {
}
