package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocCommandsTest {
    @TempDir
    Path tmp;

    Run run(String... args) {
        return Run.of(tmp.resolve("db"), "", args);
    }

    @Test
    void oneShotDocumentCommands() {
        assertThat(run("doc", "put", "users", "u1", "{\"name\":\"Ada\",\"age\":36,\"city\":\"London\"}").code())
                .isZero();
        assertThat(Run.of(tmp.resolve("db"), "{\"name\":\"Grace\",\"age\":45,\"city\":\"New York\"}",
                "doc", "put", "users", "u2", "-").code()).isZero();
        assertThat(run("doc", "put", "users", "u3", "{\"name\":\"Alan\",\"age\":41,\"city\":\"London\"}").code())
                .isZero();
        assertThat(run("doc", "get", "users", "u2").out()).isEqualTo("{\"name\":\"Grace\",\"age\":45,\"city\":\"New York\"}\n");
        assertThat(run("doc", "get", "users", "nobody").code()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(run("doc", "get", "nothing", "u1").err()).contains("no collection 'nothing'");

        assertThat(run("doc", "explain", "users", "{\"city\":\"London\"}").out()).startsWith("SCAN");
        assertThat(run("doc", "index", "users", "city").code()).isZero();
        assertThat(run("doc", "explain", "users", "{\"city\":\"London\"}").out()).startsWith("INDEX");
        Run find = run("doc", "find", "users", "{\"city\":\"London\",\"age\":{\"$gte\":40}}");
        assertThat(find.code()).isZero();
        assertThat(find.out()).isEqualTo("u3\t{\"name\":\"Alan\",\"age\":41,\"city\":\"London\"}\n");
        assertThat(run("doc", "find", "users", "--limit", "1").out().lines()).hasSize(1);
        assertThat(run("doc", "count", "users").out()).isEqualTo("3\n");
        assertThat(run("doc", "count", "users", "{\"city\":\"London\"}").out()).isEqualTo("2\n");
        assertThat(run("doc", "collections").out()).isEqualTo("users  indexes: city\n");
        assertThat(run("doc", "del", "users", "u1").code()).isZero();
        assertThat(run("doc", "del", "users", "u1").code()).isEqualTo(ExitCode.NOT_FOUND);

        Run badFilter = run("doc", "find", "users", "{\"age\":{\"$near\":1}}");
        assertThat(badFilter.code()).isEqualTo(ExitCode.USAGE);
        assertThat(badFilter.err()).contains("$near").doesNotContain("\tat ");
        Run badJson = run("doc", "put", "users", "u9", "{not json");
        assertThat(badJson.code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("doc").code()).isEqualTo(ExitCode.USAGE);
        assertThat(run("doc", "find", "--help").out()).contains("Usage: ferrumdb doc find").contains("Exit codes:");
    }

    @Test
    void aTruncatedDocumentIsPlacedByLineAndColumnWithoutTheParsersSettings() {
        Run r = run("doc", "put", "users", "u1", "{\"name\":\"Ada\",\"age\":36");
        assertThat(r.code()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("ferrumdb: invalid JSON document: Unexpected end-of-input: expected close marker"
                + " for Object (start marker at line 1, column 1)\n");
    }

    /**
     * One rule for a collection that does not exist (README, "Documents"): every read of it is "not found" (exit 1)
     * naming the collections there are, as sqlite3's "no such table", in one-shot commands and the REPL alike; an
     * absent document of an existing collection is exit 1 in a one-shot command and (nil) in the REPL, as GET.
     */
    @Test
    void aCollectionThatDoesNotExistIsNotFoundByEveryReadNamingThoseThatDo() {
        run("doc", "put", "users", "u1", "{\"a\":1}");
        run("doc", "put", "orders", "o1", "{\"a\":1}");
        for (String[] read : new String[][] {{"find", "user"}, {"count", "user"}, {"get", "user", "u1"},
                {"explain", "user", "{}"}, {"del", "user", "u1"}}) {
            String[] args = new String[read.length + 1];
            args[0] = "doc";
            System.arraycopy(read, 0, args, 1, read.length);
            Run typo = run(args);
            assertThat(typo.code()).as(String.join(" ", args)).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(typo.out()).isEmpty();
            assertThat(typo.err()).isEqualTo("ferrumdb: no collection 'user' (the collections are orders, users; a"
                    + " collection is created by its first document)\n");
        }
        assertThat(run("doc", "find", "users", "{\"a\":2}").code()).isZero();
        assertThat(run("doc", "count", "users", "{\"a\":2}").out()).isEqualTo("0\n");

        Run repl = Run.of(tmp.resolve("db"), """
                DOC FIND user
                DOC COUNT user
                DOC GET user u1
                DOC GET users u9
                DOC GET users u1
                """);
        assertThat(repl.out()).isEqualTo("(nil)\n{\"a\":1}\n");
        assertThat(repl.err().lines()).hasSize(3).allSatisfy(line -> assertThat(line)
                .isEqualTo("(error) no collection 'user' (the collections are orders, users; a collection is"
                        + " created by its first document)"));
        assertThat(repl.code()).isEqualTo(ExitCode.NOT_FOUND);
    }

    @Test
    void aKeyValueDatabaseIsNotADocumentStore() {
        run("put", "k", "v");
        Run r = run("doc", "collections");
        assertThat(r.code()).isEqualTo(ExitCode.DATABASE);
        assertThat(r.err()).contains("holds plain keys, not documents");
    }

    @Test
    void replDocumentSessionWithMultiLineJson() {
        Run r = Run.of(tmp.resolve("db"), """
                DOC PUT users u1 {
                  "name": "Ada",
                  "address": {"city": "London"}
                }
                DOC PUT users u2 {"name": "Grace", "address": {"city": "New York"}}
                DOC INDEX users address.city
                DOC FIND users {"address.city": "London"}
                DOC COUNT users
                DOC EXPLAIN users {"address.city": "London"}
                DOC GET users u2
                DOC COLLECTIONS
                DOC DEL users u2
                DOC COUNT users
                DOC FROB
                DOC GET users
                HELP DOC
                """);
        assertThat(r.out()).startsWith("OK\nOK\nOK\nu1\t{\"name\":\"Ada\",\"address\":{\"city\":\"London\"}}\n2\nINDEX")
                .contains("\n{\"name\":\"Grace\",\"address\":{\"city\":\"New York\"}}\nusers  indexes: address.city\nOK\n1\n")
                .contains("DOC INDEX coll path [UNIQUE]");
        assertThat(r.err()).contains("unknown DOC command 'FROB'").contains("usage: DOC GET coll id");
    }
}
