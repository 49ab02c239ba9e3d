package io.ferrumdb.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replies that differed from redis-server 7.0.15 until {@link RedisDifferentialTest} found them, each pinned here
 * with the exact bytes redis-server sent for the same commands (so that these run without a redis-server).
 */
class RedisParityTest {
    @TempDir
    Path dir;

    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("db"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Redis echoes the arguments as bytes: each up to a NUL, 128 bytes of them in all, CR and LF as spaces. */
    @Test
    void unknownCommandQuotesItsArgumentsByteForByte() throws Exception {
        String expected = "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: '' '\u00f5\u00f6d\u00e9' "
                + "'a  b' '" + "x".repeat(111) + "' \r\n";
        assertThat(exchange(expected, c("NOSUCHCOMMAND", "", "\u00f5\u00f6d\u00e9\u0000zz", "a\r\nb", "x".repeat(200))))
                .isEqualTo(expected);
    }

    @Test
    void anOptionQuotedInAnErrorHasItsLineBreaksAsSpacesAndEndsAtANul() throws Exception {
        String expected = "-ERR Unsupported option a  b\r\n-ERR Unsupported option a\r\n";
        assertThat(exchange(expected, c("EXPIRE", "k", "10", "a\r\nb"), c("EXPIRE", "k", "10", "a\u0000b")))
                .isEqualTo(expected);
    }

    @Test
    void aDatabaseIndexBeyondAnIntIsOutOfRangeNotANonInteger() throws Exception {
        String range = "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n";
        String expected = range + range + range + "-ERR value is not an integer or out of range\r\n";
        assertThat(exchange(expected, c("SELECT", "9999999999"), c("MOVE", "a", "9999999999"),
                c("COPY", "a", "b", "DB", "9999999999"), c("COPY", "a", "b", "DB", "x"))).isEqualTo(expected);
    }

    /** Redis 7 looks subcommands up before MULTI queues them: a bad one aborts the transaction. */
    @Test
    void subcommandsAreCheckedByTheirFullNameBeforeMultiQueuesThem() throws Exception {
        String expected = "+OK\r\n-ERR wrong number of arguments for 'client|setname' command\r\n"
                + "-ERR unknown subcommand 'NOSUCH'. Try CLIENT HELP.\r\n"
                + "-ERR wrong number of arguments for 'config|get' command\r\n"
                + "-EXECABORT Transaction discarded because of previous errors.\r\n"
                + "-ERR wrong number of arguments for 'client' command\r\n";
        assertThat(exchange(expected, c("MULTI"), c("CLIENT", "SETNAME"), c("CLIENT", "NOSUCH", "x"),
                c("CONFIG", "GET"), c("EXEC"), c("CLIENT"))).isEqualTo(expected);
    }

    /** Redis adds in an x87 long double and prints %.17Lf: no binary double artefacts, and a wider range. */
    @Test
    void incrbyfloatComputesInLongDoubleAsRedisDoes() throws Exception {
        String big = "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848"
                + "324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674"
                + "971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280"
                + "091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343"
                + "732497430221946880";
        String expected = "+OK\r\n$19\r\n9223372036854775807\r\n$3\r\n0.1\r\n$3\r\n0.3\r\n$401\r\n" + big + "\r\n"
                + "$2\r\n16\r\n$1\r\n0\r\n$1\r\n1\r\n$3\r\n0.1\r\n$3\r\n0.3\r\n-ERR value is not a valid float\r\n"
                + "$1\r\n0\r\n$9\r\n0.0000003\r\n$1\r\n0\r\n$1\r\n0\r\n-ERR value is not a valid float\r\n";
        assertThat(exchange(expected, c("SET", "f", "9223372036854775807"), c("INCRBYFLOAT", "f", "0"),
                c("INCRBYFLOAT", "g", "0.1"), c("INCRBYFLOAT", "g", "0.2"), c("INCRBYFLOAT", "h", "1e400"),
                c("INCRBYFLOAT", "i", "0x10"), c("INCRBYFLOAT", "j", "1e-400"),
                c("INCRBYFLOAT", "k", "1.0000000000000000001"), c("HINCRBYFLOAT", "hh", "f", "0.1"),
                c("HINCRBYFLOAT", "hh", "f", "0.2"), c("INCRBYFLOAT", "l", "1e5000"), c("INCRBYFLOAT", "m", "-0.0"),
                c("INCRBYFLOAT", "n", "3.0e-7"), c("INCRBYFLOAT", "o", "0x1p-16445"),
                c("INCRBYFLOAT", "o2", "1.5e-4950"), c("INCRBYFLOAT", "p", "1e-4960"))).isEqualTo(expected);
    }

    @Test
    void getexAnswersAMissingKeyOrAHashBeforeReadingItsExpiry() throws Exception {
        String expected = "$-1\r\n:1\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
        assertThat(exchange(expected, c("GETEX", "missing", "PX", "1.5"), c("HSET", "hash", "f", "v"),
                c("GETEX", "hash", "EX", "abc"))).isEqualTo(expected);
    }

    @Test
    void hscanAnswersAMissingKeyOrAStringBeforeReadingItsOptions() throws Exception {
        String expected = "*2\r\n$1\r\n0\r\n*0\r\n+OK\r\n"
                + "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n-ERR invalid cursor\r\n";
        assertThat(exchange(expected, c("HSCAN", "missing", "0", "TYPE", "hash"), c("SET", "str", "v"),
                c("HSCAN", "str", "0", "TYPE", "hash"), c("HSCAN", "missing", "x"))).isEqualTo(expected);
    }

    /** An expiry option takes the next argument whatever it is and may be repeated; NX, KEEPTTL, PERSIST too. */
    @Test
    void setAndGetexParseTheirOptionsWithRedisQuirks() throws Exception {
        String expected = "+OK\r\n:200\r\n-ERR invalid expire time in 'set' command\r\n$-1\r\n+OK\r\n"
                + "-ERR syntax error\r\n$1\r\nv\r\n";
        assertThat(exchange(expected, c("SET", "k", "v", "EX", "100", "EX", "200"), c("TTL", "k"),
                c("SET", "k", "v", "EX", "GET", "EX", "9223372036854775807"), c("SET", "k", "v", "NX", "NX"),
                c("SET", "k", "v", "KEEPTTL", "KEEPTTL"), c("SET", "k", "v", "EX", "10", "PX", "10"),
                c("GETEX", "k", "PERSIST", "PERSIST"))).isEqualTo(expected);
    }

    /** C's strtoul: an empty cursor and -0 are 0; a leading space, a lone sign and 2^64 are invalid. */
    @Test
    void scanCursorsAreReadAsStrtoulReadsThem() throws Exception {
        String empty = "*2\r\n$1\r\n0\r\n*0\r\n";
        String invalid = "-ERR invalid cursor\r\n";
        String expected = empty + empty + empty + invalid + invalid + invalid;
        assertThat(exchange(expected, c("SCAN", ""), c("SCAN", "-0"), c("SCAN", "+0"), c("SCAN", " 0"),
                c("SCAN", "+"), c("SCAN", "18446744073709551616"))).isEqualTo(expected);
    }

    @Test
    void dbsizeAndRandomkeyInsideExecSeeTheTransactionsOwnWrites() throws Exception {
        String expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n"
                + "*6\r\n+OK\r\n:1\r\n$1\r\nx\r\n:1\r\n:0\r\n$-1\r\n";
        assertThat(exchange(expected, c("MULTI"), c("SET", "x", "1"), c("DBSIZE"), c("RANDOMKEY"), c("DEL", "x"),
                c("DBSIZE"), c("RANDOMKEY"), c("EXEC"))).isEqualTo(expected);
    }

    /** Redis writes each reply of EXEC as it runs: a queued HELLO 3 changes the replies after it only. */
    @Test
    void aHelloQueuedInMultiSwitchesTheProtocolOfTheRepliesAfterIt() throws Exception {
        String expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*3\r\n$-1\r\n%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"
                + "$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:1\r\n$4\r\nmode\r\n$10\r\n"
                + "standalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n_\r\n";
        assertThat(exchange(expected, c("MULTI"), c("GET", "nokey"), c("HELLO", "3"), c("GET", "nokey"), c("EXEC")))
                .isEqualTo(expected);
    }

    @Test
    void expiretimeRoundsAnExpiryNearTwoToTheSixtyThreeWithoutOverflowing() throws Exception {
        String expected = "+OK\r\n:1\r\n:9223372036854776\r\n:9223372036854775807\r\n";
        assertThat(exchange(expected, c("SET", "k", "v"), c("PEXPIREAT", "k", "9223372036854775807"),
                c("EXPIRETIME", "k"), c("PEXPIRETIME", "k"))).isEqualTo(expected);
    }

    /** HELLO applies each option as it reads it: a name set before a bad option stays set. */
    @Test
    void helloAppliesEachOptionInTurn() throws Exception {
        String expected = "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
                + "-ERR Syntax error in HELLO option 'SETNAME'\r\n$6\r\nworker\r\n"
                + "-ERR Syntax error in HELLO option 'FOO'\r\n";
        assertThat(exchange(expected, c("HELLO", "3", "SETNAME", "bad name", "SETNAME"),
                c("HELLO", "2", "SETNAME", "worker", "SETNAME"), c("CLIENT", "GETNAME"),
                c("HELLO", "2", "AUTH", "default", "x", "FOO"))).isEqualTo(expected);
    }

    /** In RESP3, INFO and CLIENT INFO are verbatim strings ("txt:") and COMMAND INFO's flags a set, as in Redis. */
    @Test
    void resp3RepliesVerbatimTextAndSets() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("HELLO 3\r\n").readUntil("*0\r\n");
            assertThat(raw.send("INFO nosuchsection\r\n").read(10)).isEqualTo("=4\r\ntxt:\r\n");
            assertThat(raw.send("CLIENT INFO\r\n").readUntil("\n\r\n")).startsWith("=").contains("\r\ntxt:id=");
            String commandInfo = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n";
            assertThat(raw.send("COMMAND INFO get\r\n").read(commandInfo.length())).startsWith(commandInfo);
        }
    }

    /** A refused EXEC (here its arity) discards the transaction at once and says why, even outside MULTI. */
    @Test
    void aRefusedExecDiscardsTheTransactionAndSaysWhy() throws Exception {
        String abort = "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n";
        String expected = abort + "+OK\r\n+QUEUED\r\n" + abort + "-ERR EXEC without MULTI\r\n$-1\r\n";
        assertThat(exchange(expected, c("EXEC", "x"), c("MULTI"), c("SET", "a", "1"), c("EXEC", "x"), c("EXEC"),
                c("GET", "a"))).isEqualTo(expected);
    }

    /** COMMAND INFO without a name describes every command, as COMMAND does (Redis 7.0). */
    @Test
    void commandInfoWithoutNamesDescribesEveryCommand() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            String count = raw.send("COMMAND COUNT\r\n").readUntil("\r\n");
            assertThat(raw.send("COMMAND INFO\r\n").readUntil("\r\n")).isEqualTo("*" + count.substring(1));
        }
    }

    /** COMMAND INFO of an unknown name is a null in its place: a null bulk in RESP2 (addReplyNull), as Redis. */
    @Test
    void commandInfoOfAnUnknownNameIsANullBulk() throws Exception {
        String expected = "*1\r\n$-1\r\n";
        assertThat(exchange(expected, c("COMMAND", "INFO", "nosuch"))).isEqualTo(expected);
    }

    /** INFO keyspace's avg_ttl is the mean remaining TTL in ms of the keys that have one (it was always 0). */
    @Test
    void infoKeyspaceAveragesTheRemainingTtls() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            raw.send("SET a 1 EX 1000\r\nHSET h f v\r\nEXPIRE h 3000\r\nSET b 2\r\n").read(18);
            String info = raw.send("INFO keyspace\r\n").readUntil("\r\n\r\n");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("db0:keys=3,expires=2,avg_ttl=(\\d+)\r\n")
                    .matcher(info);
            assertThat(m.find()).as(info).isTrue();
            assertThat(Long.parseLong(m.group(1))).isBetween(1_900_000L, 2_000_000L);
        }
    }

    /**
     * INFO memory's used_memory is the heap in use; the key directory, which holds every key off the heap, is its
     * own line (it was missing: a user sizing memory by INFO saw none of it), and grows with the keys.
     */
    @Test
    void infoMemoryReportsTheKeyDirectory() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            java.util.regex.Pattern line = java.util.regex.Pattern.compile("\r\nused_memory_keydir:(\\d+)\r\n");
            java.util.regex.Matcher before = line.matcher(raw.send("INFO memory\r\n").readUntil("\r\n\r\n"));
            assertThat(before.find()).isTrue();
            StringBuilder sets = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                sets.append("SET key:").append(i).append(" v\r\n");
            }
            raw.send(sets.toString()).read(5 * 20_000);
            java.util.regex.Matcher after = line.matcher(raw.send("INFO memory\r\n").readUntil("\r\n\r\n"));
            assertThat(after.find()).isTrue();
            // 20,000 keys of about 9 bytes: at least a 24-byte slot and the key's bytes each.
            assertThat(Long.parseLong(after.group(1))).isPositive()
                    .isGreaterThanOrEqualTo(Long.parseLong(before.group(1)) + 20_000L * 24);
        }
    }

    /** BGSAVE may be queued by MULTI (only SAVE may not), and EXEC answers it "scheduled", as Redis does. */
    @Test
    void bgsaveInsideATransactionIsScheduled() throws Exception {
        String expected = "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n+Background saving scheduled\r\n"
                + "+OK\r\n-ERR Command not allowed inside a transaction\r\n+OK\r\n";
        assertThat(exchange(expected, c("MULTI"), c("SET", "a", "1"), c("BGSAVE"), c("EXEC"), c("MULTI"), c("SAVE"),
                c("DISCARD"))).isEqualTo(expected);
    }

    /** CONFIG GET of a name (not a pattern) answers under the name as asked, once whatever its case. */
    @Test
    void configGetAnswersANameAsAsked() throws Exception {
        String expected = "*2\r\n$9\r\nDATABASES\r\n$2\r\n16\r\n*2\r\n$9\r\nMaxmemory\r\n$1\r\n0\r\n*0\r\n";
        assertThat(exchange(expected, c("CONFIG", "GET", "DATABASES"), c("CONFIG", "GET", "Maxmemory", "maxmemory"),
                c("CONFIG", "GET", "nosuch"))).isEqualTo(expected);
    }

    /**
     * SHUTDOWN reads all its options before it acts: NOSAVE with SAVE, ABORT with another option, or an unknown
     * option anywhere is a syntax error and the server goes on (it used to shut down on NOSAVE SAVE).
     */
    @Test
    void shutdownWithABadCombinationOfOptionsIsASyntaxErrorAndTheServerGoesOn() throws Exception {
        String syntax = "-ERR syntax error\r\n";
        String expected = syntax + syntax + syntax + syntax + "-ERR No shutdown in progress.\r\n+PONG\r\n";
        assertThat(exchange(expected, c("SHUTDOWN", "NOSAVE", "SAVE"), c("SHUTDOWN", "ABORT", "NOW"),
                c("SHUTDOWN", "ABORT", "x"), c("SHUTDOWN", "x", "ABORT"), c("SHUTDOWN", "abort"), c("PING")))
                .isEqualTo(expected);
    }

    /** CLIENT LIST TYPE and ID are read as Redis 7.0 reads them (they were ignored: every client was listed). */
    @Test
    void clientListReadsItsTypeAndIdArguments() throws Exception {
        String syntax = "-ERR syntax error\r\n";
        String invalidId = "-ERR Invalid client ID\r\n";
        String none = "$0\r\n\r\n";
        String expected = "-ERR Unknown client type 'x'\r\n" + syntax + invalidId + syntax + none + none + none
                + invalidId + syntax + invalidId + none + syntax;
        assertThat(exchange(expected, c("CLIENT", "LIST", "TYPE", "x"), c("CLIENT", "LIST", "TYPE", "normal", "ID"),
                c("CLIENT", "LIST", "ID", "abc"), c("CLIENT", "LIST", "ID"), c("CLIENT", "LIST", "TYPE", "pubsub"),
                c("CLIENT", "LIST", "TYPE", "Master"), c("CLIENT", "LIST", "ID", "999999", "-1"),
                c("CLIENT", "LIST", "ID", "999999", "abc"), c("CLIENT", "LIST", "x"),
                c("CLIENT", "LIST", "ID", "99999999999999999999"), c("CLIENT", "LIST", "TYPE", "replica"),
                c("CLIENT", "LIST", "TYPE", "NORMAL", "x"))).isEqualTo(expected);
        try (RawClient raw = new RawClient(server.port())) {
            String id = raw.send("CLIENT ID\r\n").readUntil("\r\n").substring(1).strip();
            raw.send("CLIENT LIST ID " + id + "\r\n").readUntil("\r\n");
            assertThat(raw.readUntil("\n")).as("its own line").startsWith("id=" + id + " addr=127.0.0.1:");
            raw.readUntil("\r\n");
            raw.send("CLIENT LIST TYPE normal\r\n").readUntil("\r\n");
            assertThat(raw.readUntil("\n")).as("a normal client").startsWith("id=" + id + " ");
        }
    }

    /** CLIENT KILL takes TYPE and USER filters as Redis 7.0 does (they were syntax errors). */
    @Test
    void clientKillFiltersByTypeAndUser() throws Exception {
        try (RawClient victim = new RawClient(server.port())) {
            assertThat(victim.send("PING\r\n").readUntil("\r\n")).isEqualTo("+PONG\r\n");
            String expected = "-ERR No such user 'Default'\r\n-ERR Unknown client type 'x'\r\n:0\r\n:1\r\n";
            assertThat(exchange(expected, c("CLIENT", "KILL", "USER", "Default"), c("CLIENT", "KILL", "TYPE", "x"),
                    c("CLIENT", "KILL", "TYPE", "pubsub"), c("CLIENT", "KILL", "USER", "default", "TYPE", "normal")))
                    .isEqualTo(expected);
            assertThat(victim.closedByServer()).as("the other normal client of user default was killed").isTrue();
        }
    }

    /** COMMAND LIST reads FILTERBY as Redis 7.0 does (its arguments were ignored: every command was listed). */
    @Test
    void commandListFiltersByPatternAndRefusesOtherArguments() throws Exception {
        String syntax = "-ERR syntax error\r\n";
        String expected = syntax + syntax + syntax + syntax + "*0\r\n*0\r\n*1\r\n$11\r\nclient|list\r\n"
                + "*1\r\n$3\r\nget\r\n";
        assertThat(exchange(expected, c("COMMAND", "LIST", "x"), c("COMMAND", "LIST", "FILTERBY", "x", "y"),
                c("COMMAND", "LIST", "FILTERBY", "PATTERN"), c("COMMAND", "LIST", "FILTERBY", "PATTERN", "hs*", "x"),
                c("COMMAND", "LIST", "FILTERBY", "MODULE", "x"), c("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch"),
                c("COMMAND", "LIST", "filterby", "Pattern", "client|l*"),
                c("COMMAND", "LIST", "FILTERBY", "PATTERN", "GET"))).isEqualTo(expected);
        // redis-server 7.0.15 lists these four, in its hash table's order.
        String hs = exchange("*4\r\n$4\r\nhset\r\n$6\r\nhsetnx\r\n$7\r\nhstrlen\r\n$5\r\nhscan\r\n".length(),
                c("COMMAND", "LIST", "FILTERBY", "PATTERN", "hs*"));
        assertThat(hs).startsWith("*4\r\n");
        assertThat(hs.lines().filter(l -> !l.startsWith("*") && !l.startsWith("$")))
                .containsExactlyInAnyOrder("hset", "hsetnx", "hstrlen", "hscan");
    }

    /**
     * COMMAND LIST without a filter lists every command and its {@code container|subcommand} names, as Redis 7.0 does
     * ({@code commandListWithoutFilter} recurses into subcommands): the same names as {@code FILTERBY PATTERN *}. It
     * listed the commands alone, fewer names than the pattern that matches everything.
     */
    @Test
    void commandListWithoutAFilterListsSubcommandsAsThePatternOfEverythingDoes() throws Exception {
        try (RawClient raw = new RawClient(server.port())) {
            List<String> all = arrayOfBulks(raw.send("COMMAND LIST\r\n"));
            List<String> everything = arrayOfBulks(raw.send("COMMAND LIST FILTERBY PATTERN *\r\n"));
            assertThat(all).contains("get", "client", "client|list", "config|get").isEqualTo(everything);
        }
    }

    /** Reads one array reply of bulk strings: its header, then each string. */
    private static List<String> arrayOfBulks(RawClient raw) throws Exception {
        String header = raw.readUntil("\r\n");
        assertThat(header).startsWith("*");
        List<String> names = new ArrayList<>();
        for (int n = Integer.parseInt(header.substring(1).strip()); n > 0; n--) {
            raw.readUntil("\r\n"); // the length
            String line = raw.readUntil("\r\n");
            names.add(line.substring(0, line.length() - 2));
        }
        return names;
    }

    /** FUNCTION FLUSH's option and arity errors are Redis's own texts. */
    @Test
    void functionFlushRefusesOtherOptionsWithRedisTexts() throws Exception {
        String expected = "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n"
                + "-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.\r\n+OK\r\n";
        assertThat(exchange(expected, c("FUNCTION", "FLUSH", "x"), c("function", "flush", "a", "b"),
                c("FUNCTION", "FLUSH", "sync"))).isEqualTo(expected);
    }

    /** Sends the commands as multibulk requests (each argument as ISO-8859-1 bytes) and returns the replies. */
    private String exchange(int expectedBytes, String[]... commands) throws Exception {
        StringBuilder out = new StringBuilder();
        for (String[] command : commands) {
            out.append('*').append(command.length).append("\r\n");
            for (String arg : command) {
                out.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
            }
        }
        try (RawClient raw = new RawClient(server.port())) {
            return raw.send(out.toString()).read(expectedBytes);
        }
    }

    private String exchange(String expected, String[]... commands) throws Exception {
        return exchange(expected.length(), commands);
    }

    private static String[] c(String... args) {
        return args;
    }
}
