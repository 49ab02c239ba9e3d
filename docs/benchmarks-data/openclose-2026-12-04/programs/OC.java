import io.ferrumdb.*;
import java.nio.file.*;
public class OC {
  public static void main(String[] a) throws Exception {
    long t0 = System.nanoTime();
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    long t1 = System.nanoTime();
    byte[] v = db.get("user6284781860667377211".getBytes());
    long t2 = System.nanoTime();
    db.close();
    long t3 = System.nanoTime();
    System.out.printf("open %.1f get %.1f close %.1f total %.1f found=%s%n", (t1-t0)/1e6, (t2-t1)/1e6, (t3-t2)/1e6, (t3-t0)/1e6, v != null);
  }
}
