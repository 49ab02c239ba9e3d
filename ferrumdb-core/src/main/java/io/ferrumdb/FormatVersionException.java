package io.ferrumdb;

import java.nio.file.Path;

/** A file was written by a format version this code does not know (usually a newer FerrumDB). */
public class FormatVersionException extends FerrumException {
    private static final long serialVersionUID = 1L;
    private final int foundVersion;
    private final int supportedVersion;

    public FormatVersionException(Path file, int foundVersion, int supportedVersion) {
        super(file + " has format version " + foundVersion + "; this FerrumDB reads versions up to " + supportedVersion);
        this.foundVersion = foundVersion;
        this.supportedVersion = supportedVersion;
    }

    public int foundVersion() {
        return foundVersion;
    }

    public int supportedVersion() {
        return supportedVersion;
    }
}
