package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the project's Markdown honest: fences balanced, a blank line before every heading, relative links that
 * resolve, and the README's Java examples marked {@code <!-- doc-test: compile -->} still compiling against the
 * current API. It lives in ferrumdb-cli because this module's test class path holds the core and the document
 * layer, which is what those examples use.
 */
class DocumentationTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final String COMPILE_MARKER = "<!-- doc-test: compile -->";

    /** Every Markdown file of the project outside build output and installed packages. */
    private static List<Path> markdownFiles() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> {
                        String rel = ROOT.relativize(p).toString();
                        return !rel.contains("node_modules") && !rel.contains("/target/") && !rel.startsWith("target/")
                                && !rel.startsWith(".") && !rel.contains("/.");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void findsTheProjectDocuments() throws IOException {
        assertThat(markdownFiles()).extracting(p -> ROOT.relativize(p).toString())
                .contains("README.md", "ARCHITECTURE.md", "FORMAT.md", "SECURITY.md", "CHANGELOG.md");
    }

    @Test
    void codeFencesAreBalancedAndHeadingsFollowABlankLine() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : markdownFiles()) {
            List<String> lines = Files.readAllLines(file);
            boolean inFence = false;
            int fenceOpenedAt = 0;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    inFence = !inFence;
                    fenceOpenedAt = i + 1;
                } else if (!inFence && line.startsWith("#") && i > 0 && !lines.get(i - 1).isBlank()) {
                    problems.add(ROOT.relativize(file) + ":" + (i + 1) + ": heading without a blank line before it");
                }
            }
            if (inFence) {
                problems.add(ROOT.relativize(file) + ":" + fenceOpenedAt + ": code fence never closed");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void relativeLinksResolve() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Path file : markdownFiles()) {
            boolean inFence = false;
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.startsWith("```")) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher m = LINK.matcher(line);
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") || target.startsWith("#")) {
                        continue; // a URL (http:, mailto:) or an anchor in the same file
                    }
                    String path = target.replaceFirst("#.*$", "");
                    if (!Files.exists(file.getParent().resolve(path))) {
                        problems.add(ROOT.relativize(file) + ":" + (i + 1) + ": link to missing " + target);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void readmeJavaExamplesMarkedAsTestsCompile(@TempDir Path out) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("README.md"));
        List<String> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(COMPILE_MARKER)) {
                assertThat(lines.get(i + 1)).as("README.md:%d: the marker must precede a ```java fence", i + 1)
                        .isEqualTo("```java");
                StringBuilder block = new StringBuilder();
                int j = i + 2;
                for (; !lines.get(j).startsWith("```"); j++) {
                    block.append(lines.get(j)).append('\n');
                }
                blocks.add(block.toString());
                i = j;
            }
        }
        assertThat(blocks).as("README examples marked " + COMPILE_MARKER).hasSizeGreaterThanOrEqualTo(2);

        List<JavaFileObject> sources = new ArrayList<>();
        for (int n = 0; n < blocks.size(); n++) {
            sources.add(new Source("ReadmeExample" + n, wrap("ReadmeExample" + n, blocks.get(n))));
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            boolean ok = compiler.getTask(diagnostics, files, null,
                    List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"),
                            "-proc:none", "-Xlint:none"),
                    null, sources).call();
            assertThat(ok).as("README examples compile:%n%s", diagnostics).isTrue();
        }
    }

    /**
     * A README example is a method body, with its own {@code import} lines first. The wrapper adds the imports every
     * example assumes and {@code User}, the application type the documents example stores.
     */
    private static String wrap(String className, String block) {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return "import static java.nio.charset.StandardCharsets.UTF_8;\n"
                + "import io.ferrumdb.*;\nimport io.ferrumdb.doc.*;\n"
                + "import java.nio.file.*;\nimport java.time.*;\nimport java.util.*;\n"
                + imports
                + "class " + className + " {\n"
                + "  record User(String name, int age) {}\n"
                + "  static void example() throws Exception {\n" + body + "  }\n}\n";
    }

    private static final class Source extends SimpleJavaFileObject {
        private final String code;

        Source(String className, String code) {
            super(java.net.URI.create("string:///" + className + ".java"), Kind.SOURCE);
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }
}
