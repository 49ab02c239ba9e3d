import io.ferrumdb.*;
import java.nio.file.*;
import java.nio.charset.StandardCharsets;
public class MakeDb {
    public static void main(String[] a) throws Exception {
        Options.Builder b = Options.builder().segmentSize(Long.parseLong(a[1]));
        if (a.length > 2) b.passphrase(a[2].toCharArray());
        try (FerrumDB db = FerrumDB.open(Path.of(a[0]), b.build())) {
            for (int i = 0; i < 5000; i++) {
                db.put(("key" + String.format("%05d", i)).getBytes(StandardCharsets.UTF_8),
                       ("value-" + i + "-" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8));
            }
            for (int i = 0; i < 500; i++) db.delete(("key" + String.format("%05d", i * 3)).getBytes(StandardCharsets.UTF_8));
        }
    }
}
