import io.ferrumdb.*;
import java.nio.file.*;
public class OpenTraceRun {
  public static void main(String[] a) throws Exception {
    int n = a.length > 1 ? Integer.parseInt(a[1]) : 1;
    for (int i = 0; i < n; i++) {
      OpenTrace.mark("start");
      FerrumDB db = FerrumDB.open(Path.of(a[0]), Options.builder().fsyncPolicy(FsyncPolicy.never()).orderedKeys(true).build());
      OpenTrace.mark("openDone");
      db.close();
      OpenTrace.mark("closeDone");
      System.out.println(OpenTrace.dump());
    }
  }
}
