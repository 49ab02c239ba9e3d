package io.ferrumdb.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A line chart over categories (percentiles, thread counts) with a logarithmic y axis, drawn with java.awt in
 * headless mode so that the report's figures come from the benchmark code and not from a hand-made plot.
 */
public final class LineChart {
    static final int WIDTH = 960;
    static final int HEIGHT = 540;
    private static final Color[] PALETTE = {
        new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x2C, 0xA0, 0x2C),
        new Color(0xFF, 0x7F, 0x0E), new Color(0x94, 0x67, 0xBD), new Color(0x8C, 0x56, 0x4B),
        new Color(0xE3, 0x77, 0xC2), new Color(0x7F, 0x7F, 0x7F), new Color(0xBC, 0xBD, 0x22),
        new Color(0x17, 0xBE, 0xCF), new Color(0x00, 0x00, 0x00), new Color(0xAE, 0xC7, 0xE8)};

    private LineChart() {
    }

    /**
     * Draws {@code series} (name to one value per category; NaN or non-positive values are left out) and writes a
     * PNG to {@code out}.
     */
    public static void draw(Path out, String title, String xLabel, List<String> categories, String yLabel,
            Map<String, double[]> series) {
        System.setProperty("java.awt.headless", "true");
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            if (e.getValue().length != categories.size()) {
                throw new IllegalArgumentException("series " + e.getKey() + " has " + e.getValue().length
                        + " values for " + categories.size() + " categories");
            }
            for (double v : e.getValue()) {
                if (v > 0 && Double.isFinite(v)) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (min > max) {
            throw new IllegalArgumentException("chart '" + title + "' has no positive value to draw");
        }
        double lo = Math.floor(Math.log10(min));
        double hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));

        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int left = 90;
        int right = WIDTH - 220;
        int top = 50;
        int bottom = HEIGHT - 60;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();

        for (int d = (int) lo; d <= (int) hi; d++) {
            int y = yOf(d, lo, hi, top, bottom);
            g.setColor(new Color(0xE0, 0xE0, 0xE0));
            g.drawLine(left, y, right, y);
            g.setColor(Color.DARK_GRAY);
            String label = power(d);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + 4);
        }
        int n = categories.size();
        for (int i = 0; i < n; i++) {
            int x = xOf(i, n, left, right);
            g.setColor(new Color(0xF0, 0xF0, 0xF0));
            g.drawLine(x, top, x, bottom);
            g.setColor(Color.DARK_GRAY);
            String c = categories.get(i);
            g.drawString(c, x - fm.stringWidth(c) / 2, bottom + 18);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, right - left, bottom - top);
        g.drawString(xLabel, (left + right) / 2 - fm.stringWidth(xLabel) / 2, bottom + 40);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel + " (log scale)", -(top + bottom) / 2 - fm.stringWidth(yLabel) / 2, 20);
        g.rotate(Math.PI / 2);

        int legendY = top + 10;
        int s = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            Color color = PALETTE[s++ % PALETTE.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(2.2f));
            int px = -1;
            int py = -1;
            for (int i = 0; i < n; i++) {
                double v = e.getValue()[i];
                if (!(v > 0 && Double.isFinite(v))) {
                    px = -1;
                    continue;
                }
                int x = xOf(i, n, left, right);
                int y = yOf(Math.log10(v), lo, hi, top, bottom);
                g.fillOval(x - 3, y - 3, 7, 7);
                if (px >= 0) {
                    g.drawLine(px, py, x, y);
                }
                px = x;
                py = y;
            }
            g.drawLine(right + 15, legendY - 4, right + 40, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), right + 46, legendY);
            legendY += 18;
        }
        g.dispose();
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            if (!ImageIO.write(img, "png", out.toFile())) {
                throw new IllegalStateException("no PNG writer in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + out, e);
        }
    }

    private static String power(int d) {
        String[] names = {"1", "10", "100", "1k", "10k", "100k", "1M", "10M", "100M", "1G", "10G"};
        return d >= 0 && d < names.length ? names[d] : "1e" + d;
    }

    private static int xOf(int i, int n, int left, int right) {
        return n == 1 ? (left + right) / 2 : left + 40 + i * (right - left - 80) / (n - 1);
    }

    private static int yOf(double log, double lo, double hi, int top, int bottom) {
        return (int) Math.round(bottom - (log - lo) / (hi - lo) * (bottom - top));
    }
}
