import io.ferrumdb.*;
import java.nio.file.*;
public class OCW {
  public static void main(String[] a) throws Exception {
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    int n = Integer.parseInt(a[1]);
    byte[] v = new byte[110];
    for (int i = 0; i < n; i++) db.put(("user" + (i * 7919L % 100000)).getBytes(), v);
    Thread.sleep(200);
    long t2 = System.nanoTime();
    System.err.println("CLOSE-START");
    db.close();
    long t3 = System.nanoTime();
    System.err.println("CLOSE-END " + (t3-t2)/1e6);
  }
}
