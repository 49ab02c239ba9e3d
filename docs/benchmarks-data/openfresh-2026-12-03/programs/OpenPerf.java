import io.ferrumdb.*;
import java.nio.file.*;
public class OpenPerf {
  public static void main(String[] a) throws Exception {
    String pid = Long.toString(ProcessHandle.current().pid());
    Process p0 = new ProcessBuilder("jcmd", pid, "PerfCounter.print").redirectErrorStream(true).start();
    String before = new String(p0.getInputStream().readAllBytes());
    long t0 = System.nanoTime();
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    long t1 = System.nanoTime();
    db.close();
    Process p = new ProcessBuilder("jcmd", pid, "PerfCounter.print").redirectErrorStream(true).start();
    String after = new String(p.getInputStream().readAllBytes());
    System.out.println("open_ms " + (t1 - t0) / 1_000_000);
    java.util.Map<String,Long> b = parse(before), c = parse(after);
    long freq = c.getOrDefault("sun.os.hrt.frequency", 1_000_000_000L);
    for (String k : c.keySet()) {
      if (k.matches("sun\\.(cls|ci|classloader|rt\\.safepoint|gc\\.collector).*(Time|time|Count|count)|java.cls.*|sun.cls.*")) {
        long d = c.get(k) - b.getOrDefault(k, 0L);
        if (d != 0) System.out.println(k + " " + d + (k.toLowerCase().contains("time") ? "  (" + (d * 1000 / freq) + " ms)" : ""));
      }
    }
  }
  static java.util.Map<String,Long> parse(String s) {
    java.util.Map<String,Long> m = new java.util.TreeMap<>();
    for (String l : s.split("\n")) { int i = l.indexOf('='); if (i > 0) { try { m.put(l.substring(0,i), Long.parseLong(l.substring(i+1).trim())); } catch (NumberFormatException e) {} } }
    return m;
  }
}
