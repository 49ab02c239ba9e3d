package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferrumdb.FerrumDB;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplPipedTest {
    @TempDir
    Path tmp;

    Run repl(String script, String... options) {
        return Run.of(tmp.resolve("db"), script, options);
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void scriptedSessionPrintsOnlyResultsNoPromptOrBanner() {
        Run r = repl("""
                # a comment line
                SET user:1 Ada
                set user:2 "Grace Hopper"
                GET user:2
                GET nobody
                KEYS user:
                COUNT
                DEL user:1 nobody
                COUNT user:
                EXIT
                GET user:2
                """);
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("OK\nOK\nGrace Hopper\n(nil)\nuser:1\nuser:2\n2\n1\n1\n");
    }

    /** A Redis user's KEYS * lists every key (it listed none while every argument was a prefix). */
    @Test
    void keysTakesRedisGlobPatternsAsWellAsPrefixes() {
        Run r = repl("""
                SET user:1 Ada
                SET user:22 Grace
                SET order:1 x
                SET *star y
                KEYS *
                KEYS user:*
                KEYS user:?
                KEYS [ou]*:1
                KEYS \\**
                KEYS user:2
                """);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("OK\nOK\nOK\nOK\n"
                + "*star\norder:1\nuser:1\nuser:22\n"
                + "user:1\nuser:22\n"
                + "user:1\n"
                + "order:1\nuser:1\n"
                + "*star\n"
                + "user:22\n");
    }

    /**
     * A key holding control characters is listed on a terminal as {@code \x1B[2J}; in double quotes the REPL reads
     * {@code \xHH} as redis-cli does, so the key can be typed back as it was shown (it read "x1B[2J").
     */
    @Test
    void hexEscapesInDoubleQuotesAreBytesAsInRedisCli() {
        Run r = repl("""
                SET "\\x1B[2J\\x1b[Hk\\xC2\\x9B" v
                KEYS
                GET "\\x1B[2J\\x1B[Hk\\xc2\\x9b"
                SET "tab\\tbell\\a" w
                GET "tab\\x09bell\\x07"
                GET "\\xff"
                GET "\\x4"
                """);
        assertThat(r.out()).isEqualTo("OK\n\u001B[2J\u001B[Hk\u009B\nv\nOK\nw\n(nil)\n");
        assertThat(r.err()).isEqualTo("(error) \\xff is not UTF-8 text: binary keys and values take --hex or --base64\n");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    }

    /**
     * redis-cli refuses a closing quote followed by more text ({@code SET "x"y 1} is "Invalid argument(s)", nothing
     * stored), takes quoted text after unquoted text into the word ({@code x"y"} is {@code xy}) and reads
     * {@code \'} in single quotes as a quote; the REPL stored {@code "x"y} as {@code xy} and ended {@code 'x\'} at
     * the backslash. JSON after a command's words is raw text, so its quotes stay free.
     */
    @Test
    void quotesAreReadAsRedisCliReadsThemAndAClosingQuoteMustEndTheWord() {
        Run r = repl("""
                SET "x"y 1
                SET 'x'y 2
                SET "a""b" 3
                SET k "v"w
                SET user:"a b" 4
                SET 'it\\'s' 5
                SET j {"name":"Ada","tags":["x"]}
                KEYS
                GET "user:a b"
                GET "it's"
                GET j
                """);
        assertThat(r.out()).isEqualTo("OK\nOK\nOK\nit's\nj\nuser:a b\n4\n5\n{\"name\":\"Ada\",\"tags\":[\"x\"]}\n");
        assertThat(r.err().lines()).hasSize(4).allSatisfy(line -> assertThat(line)
                .startsWith("(error) invalid argument ").contains("a closing quote must be followed by a blank"));
        assertThat(r.err()).contains("argument \"x\"y:").contains("argument 'x'y:").contains("argument \"a\"\"b\":")
                .contains("argument \"v\"w:");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
    }

    @Test
    void ttlExpireAndPersist() {
        Run r = repl("""
                SET a 1
                TTL a
                TTL missing
                EXPIRE a 100
                TTL a
                SET b 2 EX 50
                TTL b
                SET c 3 PX 1500
                TTL c
                PERSIST b
                TTL b
                EXPIRE missing 5
                """);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("OK\n-1\n-2\n1\n100\nOK\n50\nOK\n2\n1\n-1\n0\n");
    }

    /** Audit 27c: {@code EXPIRE k 0} was refused; Redis deletes the key (it expires at once) and answers 1. */
    @Test
    void expireWithZeroOrNegativeSecondsDeletesTheKeyAsRedisDoes() {
        Run r = repl("""
                SET a 1
                SET b 2
                EXPIRE a 0
                GET a
                EXPIRE b -5
                TTL b
                EXPIRE missing 0
                EXPIRE a soon
                """);
        assertThat(r.out()).isEqualTo("OK\nOK\n1\n(nil)\n1\n-2\n0\n");
        assertThat(r.err()).isEqualTo("(error) expected a number of seconds, got 'soon'\n");
    }

    @Test
    void multiExecAppliesOneBatchAndDiscardDropsIt() {
        Run r = repl("""
                SET gone x
                MULTI
                SET a 1
                SET b 2 EX 60
                DEL gone
                GET a
                EXEC
                MULTI
                SET never 1
                DISCARD
                KEYS
                """);
        assertThat(r.out()).isEqualTo("OK\nOK\nQUEUED\nQUEUED\nQUEUED\nOK (3 operation(s) applied atomically)\n"
                + "OK\nQUEUED\nOK (1 operation(s) discarded)\na\nb\n");
        assertThat(r.err()).contains("(error) GET cannot be queued");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"))) {
            assertThat(db.get(b("gone"))).isNull();
            assertThat(db.expiresAt(b("b"))).isPositive();
        }
    }

    @Test
    void unfinishedMultiIsDiscardedWithAWarning() {
        Run r = repl("MULTI\nSET a 1\n");
        assertThat(r.err()).contains("MULTI without EXEC: 1 queued operation(s) discarded");
        try (FerrumDB db = FerrumDB.open(tmp.resolve("db"))) {
            assertThat(db.size()).isZero();
        }
    }

    @Test
    void multiLineJsonContinuesWhileBracesAreOpen() {
        Run r = repl("""
                SET doc {
                  "name": "Ada {not a brace}",
                  "tags": ["math",
                           "engines"]
                }
                GET doc
                """);
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("OK\n{\n  \"name\": \"Ada {not a brace}\",\n  \"tags\": [\"math\",\n"
                + "           \"engines\"]\n}\n");
    }

    @Test
    void inputEndingInsideJsonIsAnError() {
        Run r = repl("SET doc {\"a\": 1\n");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).contains("input ended inside an unclosed JSON value");
    }

    @Test
    void theOneShotCommandNamesPointToTheReplsOwn() {
        Run r = repl("put a 1\ndelete a\nSET a 1\nGET a\n");
        assertThat(r.err()).contains("(error) unknown command 'put': in the REPL it is SET key value")
                .contains("(error) unknown command 'delete': in the REPL it is DEL key [key ...]");
        assertThat(r.out()).isEqualTo("OK\n1\n");
    }

    @Test
    void aTtlBeyondTheLimitIsQuotedAsTyped() {
        Run r = repl("SET a 1\nSET b 2 EX 100000000000\nEXPIRE a 100000000000\nTTL a\n");
        assertThat(r.err()).contains("(error) TTL 'EX 100000000000' exceeds the limit of 36500 days (100 years)")
                .contains("(error) TTL '100000000000 seconds' exceeds the limit of 36500 days (100 years)");
        assertThat(r.out()).isEqualTo("OK\n-1\n");
    }

    @Test
    void aMistypedCommandGetsTheClosestOneAndAnUnlikeWordNone() {
        Run r = repl("GTE a\nkyes\nHLEP\nEXPRIE a 5\nFROB x\n");
        assertThat(r.err()).contains("(error) unknown command 'GTE'; did you mean 'GET'? (HELP lists the commands)")
                .contains("unknown command 'kyes'; did you mean 'KEYS'?")
                .contains("unknown command 'HLEP'; did you mean 'HELP'?")
                .contains("unknown command 'EXPRIE'; did you mean 'EXPIRE'?")
                .contains("(error) unknown command 'FROB' (HELP lists the commands)");
    }

    @Test
    void errorsAreReadableAndTheSessionGoesOn() {
        Run r = repl("""
                FROB x
                GET
                EXPIRE a soon
                SET 'unterminated
                SET ok 1
                GET ok
                """);
        assertThat(r.out()).isEqualTo("OK\n1\n");
        assertThat(r.err()).contains("(error) unknown command 'FROB'").contains("(error) usage: GET key")
                .contains("expected a number of seconds, got 'soon'").contains("unterminated ' quote")
                .doesNotContain("\tat ");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        Run verbose = repl("FROB\n", "--verbose");
        assertThat(verbose.err()).contains("CliException").contains("\tat ");
    }

    @Test
    void hexModeAndInfoAndHelp() {
        Run r = repl("SET 00ff 0102\nGET 00ff\nKEYS\nINFO\nHELP GET\nHELP\n", "--hex");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("OK\n0102\n00ff\n").contains("format version:      2")
                .contains("live keys:           1").contains("GET key").contains("MULTI")
                .contains("written in hex");
    }
}
