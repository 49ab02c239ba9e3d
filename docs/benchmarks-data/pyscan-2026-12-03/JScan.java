import io.ferrumdb.*;
import io.ferrumdb.bindings.*;
import java.lang.management.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;

/** Java-side time of a prefix scan of n keys (thread CPU, median of later half). args: dir n rounds mode */
public class JScan {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]);
        int n = Integer.parseInt(a[1]);
        int rounds = Integer.parseInt(a[2]);
        String mode = a[3];
        byte[] prefix = "user:".getBytes();
        if (!Files.exists(dir.resolve("done"))) {
            try (FerrumDB db = BindingSupport.open(dir.toString(), "never", 1000, null, false)) {
                WriteBatch b = new WriteBatch();
                byte[] v = new byte[100];
                Arrays.fill(v, (byte) 7);
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < n; i++) order.add(i);
                if (a.length > 4 && a[4].equals("shuffle")) Collections.shuffle(order, new Random(42));
                for (int i : order) b.put(String.format("user:%011d", i).getBytes(), v);
                db.write(b);
            }
            Files.createFile(dir.resolve("done"));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        FerrumDB db = BindingSupport.open(dir.toString(), "never", 1000, null, false);
        ByteBuffer buf = ByteBuffer.allocateDirect(256 << 10);
        double[] t = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            long count = 0;
            boolean values = mode.startsWith("items");
            try (ScanCursor cur = new ScanCursor(db, prefix, null, null, false, -1, values)) {
                int k;
                while ((k = cur.fill(buf, 4096)) > 0) count += k;
            }
            if (count != n) throw new AssertionError(count);
            t[r] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
            if (r == 0) System.out.printf("first: %.1f ms cpu, %.1f wall%n", t[0], (System.nanoTime() - w0) / 1e6);
        }
        double[] late = Arrays.copyOfRange(t, rounds / 2, rounds);
        Arrays.sort(late);
        System.out.printf("%s median later half: %.2f ms cpu (%d rounds)%n", mode, late[late.length / 2], rounds);
        db.close();
    }
}
