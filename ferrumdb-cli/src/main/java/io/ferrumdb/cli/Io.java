package io.ferrumdb.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The process's streams and environment, passed in rather than read from System so that tests drive the real
 * entry point. {@code terminal} is true only when stdin and stdout are an interactive terminal: then the REPL
 * uses JLine (prompt, completion, history), long operations draw a progress bar, and {@code prompt} (else null)
 * asks for passphrases.
 */
record Io(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean terminal,
          PassphrasePrompt prompt) {

    /** Reads a passphrase without echo; null when there is no terminal to ask on. */
    @FunctionalInterface
    interface PassphrasePrompt {
        char[] ask(String prompt);
    }
}
