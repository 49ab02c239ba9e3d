import io.ferrumdb.*;
import java.nio.file.*;
import java.util.*;
/** One open + close of a store in this (fresh) JVM: wall ms of each, process CPU ms before/after, threads' CPU ticks. */
public class OpenFresh {
  static long cpuTicks() throws Exception {
    String s = Files.readString(Path.of("/proc/self/stat"));
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
  public static void main(String[] a) throws Exception {
    long c0 = cpuTicks();
    long t0 = System.nanoTime();
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    long t1 = System.nanoTime();
    long c1 = cpuTicks();
    db.close();
    long t2 = System.nanoTime();
    long c2 = cpuTicks();
    Map<String, Long> byName = new TreeMap<>();
    if (a.length > 1) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
        for (Path t : ds) {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          byName.merge(name.replaceAll("[0-9]+$", "#"), Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
        }
      }
    }
    System.out.printf("open_ms %.1f close_ms %.1f cpu_ticks_before %d open %d close %d %s%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, c0, c1 - c0, c2 - c1, a.length > 1 ? byName : "");
  }
}
