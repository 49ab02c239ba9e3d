package io.ferrumdb.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The class path this module's tests (and the child JVMs they start with it) run on is exactly what Maven
 * resolved. CI's build once broke because ferrumdb-studio's jar named lib/*.jar in its manifest's Class-Path: the
 * JVM added those jars to every class path the Studio jar was on, and lib/jackson-annotations-2.18.2.jar came in
 * beside the 2.21 this build chooses (MCP over HTTP failed at start). Only a packaged reactor build (CI's
 * {@code mvn verify}) puts the Studio jar here; {@code mvn test} puts its classes directory, which has no manifest.
 */
class ClassPathHygieneTest {
    private static List<Path> classPathJars() {
        List<Path> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
                jars.add(p);
            }
        }
        return jars;
    }

    @Test
    void noJarOnTheClassPathAddsJarsOfItsOwnThroughItsManifest() throws Exception {
        List<Path> jars = classPathJars();
        System.out.println("ferrumdb-cli test class path: " + System.getProperty("java.class.path"));
        assertThat(jars).as("the class path names jars").isNotEmpty();
        List<String> withClassPath = new ArrayList<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile())) {
                Manifest manifest = file.getManifest();
                String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
                if (classPath != null) {
                    withClassPath.add(jar + " -> " + classPath);
                }
            }
        }
        assertThat(withClassPath).as("jars whose manifest extends the class path").isEmpty();
    }

    @Test
    void jacksonAnnotationsComeFromOneJarNewEnoughForTheMcpSdk() throws Exception {
        List<URL> copies = Collections.list(ClassPathHygieneTest.class.getClassLoader()
                .getResources("com/fasterxml/jackson/annotation/JsonFormat.class"));
        assertThat(copies).as("jars holding Jackson's annotations").hasSize(1);
        // The MCP SDK's Jackson 3 needs annotations 2.20 or newer: with 2.18, building the MCP tools' output
        // schemas failed with NoSuchFieldError JsonFormat.Shape.POJO.
        assertThat(Arrays.stream(JsonFormat.Shape.values()).map(Enum::name)).contains("POJO");
    }
}
