package io.ferrumdb.internal;
public final class ProbeX {
  static final boolean ON = Boolean.getBoolean("probe");
  static long last = System.nanoTime();
  static final String[] names = new String[200];
  static final long[] times = new long[200];
  static int n;
  public static synchronized void p(String what) {
    if (!ON) return;
    long t = System.nanoTime();
    names[n] = what; times[n++] = t - last;
    last = t;
  }
  public static synchronized void dump() {
    if (!ON) return;
    StringBuilder sb = new StringBuilder("PROBE ");
    for (int i = 0; i < n; i++) sb.append(names[i]).append('=').append(times[i] / 100000 / 10.0).append(' ');
    n = 0;
    System.err.println(sb);
  }
}
