import io.ferrumdb.*;
import java.nio.file.*;
import java.util.*;
/** Open, list live threads, first GET, close, list live threads again. */
public class OCT {
  static List<String> threads() {
    List<String> l = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) if (t.isAlive() && t.getName().startsWith("ferrumdb")) l.add(t.getName());
    Collections.sort(l); return l;
  }
  public static void main(String[] a) throws Exception {
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    Thread.sleep(200);
    List<String> afterOpen = threads();
    db.get("user6284781860667377211".getBytes());
    db.close();
    System.out.println("threads after open " + afterOpen + " after close " + threads());
  }
}
