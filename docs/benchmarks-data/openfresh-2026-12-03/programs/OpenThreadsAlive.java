import io.ferrumdb.*;
import java.nio.file.*;
import java.util.*;
public class OpenThreadsAlive {
  public static void main(String[] a) throws Exception {
    FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
    TreeSet<String> names = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().startsWith("ferrumdb")) names.add(t.getName());
    db.close();
    System.out.println("ferrumdb threads alive after open: " + names);
  }
}
