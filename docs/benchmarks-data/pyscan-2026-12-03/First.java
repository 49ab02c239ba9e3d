import io.ferrumdb.*;
import io.ferrumdb.bindings.*;
import java.lang.management.*;
import java.nio.*;
import java.nio.file.*;

/** The first scan with values after open: wall and thread CPU until the first chunk, and for the rest. */
public class First {
    public static void main(String[] a) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long w0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
        FerrumDB db = BindingSupport.open(a[0], "never", 1000, null, false);
        long w1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
        if (a.length > 1) Thread.sleep(Long.parseLong(a[1]));
        long w2 = System.nanoTime(), c2 = mx.getCurrentThreadCpuTime();
        ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
        ScanCursor cur = new ScanCursor(db, "user:".getBytes(), null, null, false, -1, true);
        int n = cur.fill(buf, 4096);
        long w3 = System.nanoTime(), c3 = mx.getCurrentThreadCpuTime();
        int k;
        while ((k = cur.fill(buf, 4096)) > 0) n += k;
        long w4 = System.nanoTime(), c4 = mx.getCurrentThreadCpuTime();
        ScanCursor cur2 = new ScanCursor(db, "user:".getBytes(), null, null, false, -1, true);
        while ((k = cur2.fill(buf, 4096)) > 0) n += k;
        long w5 = System.nanoTime(), c5 = mx.getCurrentThreadCpuTime();
        System.out.printf("open %.0f ms (cpu %.0f); first chunk %.0f (cpu %.0f); rest %.0f (cpu %.0f); second scan %.0f (cpu %.0f); n=%d%n",
            (w1-w0)/1e6,(c1-c0)/1e6,(w3-w2)/1e6,(c3-c2)/1e6,(w4-w3)/1e6,(c4-c3)/1e6,(w5-w4)/1e6,(c5-c4)/1e6,n);
        db.close();
    }
}
