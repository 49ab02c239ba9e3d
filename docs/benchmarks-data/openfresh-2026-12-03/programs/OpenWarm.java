import io.ferrumdb.*;
import java.nio.file.*;
public class OpenWarm {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[1]);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
      long t1 = System.nanoTime();
      db.close();
      sb.append((t1 - t0) / 1_000_000).append(' ');
    }
    System.out.println("open_ms " + sb);
  }
}
