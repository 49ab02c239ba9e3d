package io.ferrumdb.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The process's streams and environment, passed in rather than read from System so that tests drive the real
 * entry point. {@code out} and {@code err} already escape control characters when they are a terminal
 * ({@link TerminalSafeOutput}); {@code statusErr} is standard error unfiltered, for the progress bar's own
 * control sequences. When stdin and stdout are an interactive terminal ({@link #terminal()}) the REPL uses JLine
 * (prompt, completion, history) and {@code prompt} (else null) asks for passphrases.
 */
record Io(InputStream in, PrintStream out, PrintStream err, PrintStream statusErr, Map<String, String> env,
          Terminals terminals, PassphrasePrompt prompt) {

    /** Whether stdin and stdout are an interactive terminal (a REPL with line editing, passphrase prompts). */
    boolean terminal() {
        return terminals.in() && terminals.out();
    }

    /** Reads a passphrase without echo; null when there is no terminal to ask on. */
    @FunctionalInterface
    interface PassphrasePrompt {
        char[] ask(String prompt);
    }
}
