import io.ferrumdb.*;
import java.nio.file.*;
public class OpenMark {
  public static void main(String[] a) throws Exception {
    System.out.println("MARK before-open");
    long t0 = System.nanoTime();
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    long t1 = System.nanoTime();
    System.out.println("MARK after-open");
    db.close();
    long t2 = System.nanoTime();
    System.out.println("MARK after-close");
    System.out.printf("open_ms %.1f close_ms %.1f%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
  }
}
