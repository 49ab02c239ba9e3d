package io.ferrumdb.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the real picocli entry point in-process, as a script would (no terminal). */
record Run(int code, byte[] stdout, String err) {
    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    static Run of(Path db, String stdin, String... args) {
        return of(db, stdin.getBytes(StandardCharsets.UTF_8), Map.of(), args);
    }

    static Run of(Path db, byte[] stdin, Map<String, String> env, String... args) {
        return of(db, stdin, env, null, args);
    }

    /** With a passphrase prompt, as on a terminal (the REPL is not started this way: JLine needs a real one). */
    static Run of(Path db, byte[] stdin, Map<String, String> env, Io.PassphrasePrompt prompt, String... args) {
        return of(db, stdin, env, prompt, prompt != null ? new Terminals(true, true, false) : Terminals.NONE, args);
    }

    /** With the given streams standing for a terminal (their output then goes through the terminal filter). */
    static Run of(Path db, byte[] stdin, Map<String, String> env, Io.PassphrasePrompt prompt, Terminals terminals,
                  String... args) {
        List<String> all = new ArrayList<>();
        if (db != null) {
            all.add("--db");
            all.add(db.toString());
        }
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(all.toArray(String[]::new), new ByteArrayInputStream(stdin),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, terminals, prompt);
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }
}
