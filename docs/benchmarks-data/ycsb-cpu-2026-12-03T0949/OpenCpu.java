import io.ferrumdb.*;
import java.nio.file.Path;
public class OpenCpu {
  public static void main(String[] a) throws Exception {
    long t0 = System.nanoTime();
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(Boolean.parseBoolean(a[1])).build());
    long t1 = System.nanoTime();
    if (Boolean.parseBoolean(a[1])) { try (var it = db.iterate(KeyRange.atLeast("user".getBytes()))) { it.hasNext(); } }
    long t2 = System.nanoTime();
    db.close();
    System.out.printf("ordered=%s open %.0f ms, until index built %.0f ms%n", a[1], (t1-t0)/1e6, (t2-t0)/1e6);
  }
}
