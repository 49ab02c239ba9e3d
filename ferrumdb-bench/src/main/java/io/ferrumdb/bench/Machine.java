package io.ferrumdb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;

import java.util.Map;

/** What the report says about the machine, read from the machine itself. */
public final class Machine {
    private Machine() {
    }

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuModel", procField("/proc/cpuinfo", "model name"));
        m.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        m.put("memTotal", procField("/proc/meminfo", "MemTotal"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("javaVersion", System.getProperty("java.version"));
        m.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("javaVendor", System.getProperty("java.vendor"));
        m.put("harnessJvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        try {
            m.put("dataFileStore", Files.getFileStore(Files.createDirectories(Datasets.root())).type());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        m.put("loadAverageAtStart", loadAverage());
        return m;
    }

    public static String loadAverage() {
        return read(Path.of("/proc/loadavg")).map(s -> s.trim()).orElse("unknown");
    }

    /**
     * Asks the JVM to return the C heap's free memory to the system ({@code jcmd <pid> System.trim_native_heap}, in
     * JDK 17.0.9 and later): false when this JVM has no such command.
     */
    static boolean trimNativeHeap() {
        try {
            ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "systemTrimNativeHeap", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            return true;
        } catch (javax.management.ReflectionException e) {
            return false; // no such operation in this JVM
        } catch (javax.management.JMException e) {
            throw new BenchException("System.trim_native_heap failed", e);
        }
    }

    /** Anonymous resident memory of this process (heap and native allocations, not file maps), or -1 off Linux. */
    public static long rssAnonBytes() {
        return statusBytes("RssAnon");
    }

    /**
     * File-backed resident memory of this process (mapped files: the JDK's, segments, a key directory image mapped
     * copy-on-write, whose pages are file-backed until written), or -1 off Linux.
     */
    public static long rssFileBytes() {
        return statusBytes("RssFile");
    }

    private static long statusBytes(String field) {
        String v = procField("/proc/self/status", field);
        if (v.equals("unknown")) {
            return -1;
        }
        return Long.parseLong(v.replace("kB", "").trim()) * 1024;
    }

    static String procField(String file, String name) {
        return read(Path.of(file)).flatMap(s -> s.lines().filter(l -> l.startsWith(name))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst()).orElse("unknown");
    }

    private static java.util.Optional<String> read(Path p) {
        if (!Files.isReadable(p)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
