package org.aio4j.webflux;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The soak's samples (one row every 10 s), the trend rule and the chart.
 *
 * <p><b>Trend rule.</b> Warm-up is the first 20% of the run (at least 30 s). Each sample after it is replaced by its
 * floor: the minimum of the samples after warm-up within the last 60 s (this one and up to five before it), so
 * short-lived churn (connections and files of the load, glibc helper threads, GC) does not count, while a leak,
 * which raises the floor, does. A least-squares line {@code floor = a + b t} is fitted to those floors; its growth
 * over the window is {@code b * (t_last - t_first)}. A metric "trends upward" when that growth exceeds {@code 10% of
 * the floors' mean + an absolute allowance} (RSS and NMT committed 16 MiB, open fds other than the engines' lane fds
 * 16, OS threads 8, aio4j native bytes 64 KiB). Fewer than 3 samples after warm-up: not judged (reported as such).
 * The lane fds ({@code EngineMetrics.laneFds()}) are checked apart, against a bound at every sample ({@code
 * SoakTest.LaneWatch}).
 */
final class SoakReport {
    /** A column of the CSV. */
    record Column(String name, String label, double scale, String unit) {}

    /** A checked metric: its column and absolute allowance (in the column's raw unit). */
    record Check(String column, double allowance) {}

    /** The verdict on one checked metric. */
    record Trend(
            String column,
            int samples,
            double mean,
            double slopePerSecond,
            double growth,
            double limit,
            double first,
            double last,
            boolean judged) {
        boolean upward() {
            return judged && growth > limit;
        }
    }

    static final double WARMUP_FRACTION = 0.20, WARMUP_MIN_S = 30, RELATIVE = 0.10;

    static final List<Check> CHECKS = List.of(
            new Check("rss_kb", 16 * 1024),
            new Check("nmt_committed_kb", 16 * 1024),
            new Check("fds_excl_lanes", 16),
            new Check("threads_os", 8),
            new Check("native_bytes", 64 * 1024));

    final List<String> columns;
    final List<double[]> rows = new ArrayList<>();

    SoakReport(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    synchronized void add(double[] row) {
        rows.add(row.clone());
    }

    int col(String name) {
        int i = columns.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("no column " + name);
        return i;
    }

    static double warmupSeconds(double durationSeconds) {
        return Math.max(WARMUP_MIN_S, WARMUP_FRACTION * durationSeconds);
    }

    synchronized Trend trend(Check c, double warmupS) {
        int ti = col("t_s"), vi = col(c.column());
        List<double[]> post = rows.stream().filter(r -> r[ti] >= warmupS).toList();
        int n = post.size();
        if (n < 3) return new Trend(c.column(), n, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, false);
        double[] floor = floors(post, ti, vi);
        double st = 0, sv = 0;
        for (int i = 0; i < n; i++) {
            st += post.get(i)[ti];
            sv += floor[i];
        }
        double mt = st / n, mv = sv / n, sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++) {
            double t = post.get(i)[ti];
            sxy += (t - mt) * (floor[i] - mv);
            sxx += (t - mt) * (t - mt);
        }
        double b = sxx == 0 ? 0 : sxy / sxx;
        double window = post.get(n - 1)[ti] - post.get(0)[ti];
        double growth = b * window;
        double limit = RELATIVE * Math.abs(mv) + c.allowance();
        return new Trend(c.column(), n, mv, b, growth, limit, post.get(0)[vi], post.get(n - 1)[vi], true);
    }

    static final double FLOOR_WINDOW_S = 60;

    /** The floor of each sample: the minimum over the samples of {@code post} in the 60 s up to it. */
    static double[] floors(List<double[]> post, int ti, int vi) {
        double[] f = new double[post.size()];
        for (int i = 0; i < f.length; i++) {
            double t = post.get(i)[ti], m = post.get(i)[vi];
            for (int j = i - 1; j >= 0 && t - post.get(j)[ti] < FLOOR_WINDOW_S - 1e-6; j--)
                m = Math.min(m, post.get(j)[vi]);
            f[i] = m;
        }
        return f;
    }

    synchronized void writeCsv(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file)) {
            w.write(String.join(",", columns));
            w.write('\n');
            for (double[] r : rows) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.length; i++) {
                    if (i > 0) sb.append(',');
                    double v = r[i];
                    if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
                    else sb.append(String.format(Locale.ROOT, "%.1f", v));
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    /** A panel: a title, a unit divisor, and the columns drawn in it (the first is the checked one, if any). */
    record Panel(String title, double divisor, String... series) {}

    static final List<Panel> PANELS = List.of(
            new Panel("RSS (MiB, VmRSS)", 1024, "rss_kb"),
            new Panel("NMT committed (MiB)", 1024, "nmt_committed_kb"),
            new Panel("open fds: other than lane fds (checked); all (red)", 1, "fds_excl_lanes", "fds"),
            new Panel(
                    "lane fds held (suspend, signal, shared)",
                    1,
                    "suspend_lane_fds",
                    "signal_lane_fds",
                    "shared_lane_fds"),
            new Panel("threads (OS; Java dashed)", 1, "threads_os", "threads_java"),
            new Panel("aio4j native memory (KiB)", 1024, "native_bytes"),
            new Panel("engine+Flux+HTTP ops/s (terminal signals)", 1, "ops_per_s"),
            new Panel("HTTP requests/s", 1, "http_per_s"),
            new Panel(
                    "engine inFlight (suspend, signal, shared)",
                    1,
                    "suspend_inflight",
                    "signal_inflight",
                    "shared_inflight"),
            new Panel(
                    "engine ops submitted (millions)",
                    1e6,
                    "suspend_submitted",
                    "signal_submitted",
                    "shared_submitted"),
            new Panel(
                    "engine ops cancelled (thousands)",
                    1e3,
                    "suspend_cancelled",
                    "signal_cancelled",
                    "shared_cancelled"),
            new Panel("upload temporary files (.part) present", 1, "part_files"),
            new Panel("read chunks outstanding (AioFiles.outstandingChunks)", 1, "chunks"));

    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)};

    synchronized void writeChart(Path file, String title, double warmupS, Map<String, Trend> trends)
            throws IOException {
        String[] titleLines = title.split("\n");
        int cols = 2, pw = 620, ph = 250, top = 22 + 19 * titleLines.length;
        int rowsN = (PANELS.size() + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * pw, top + rowsN * ph, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        for (int i = 0; i < titleLines.length; i++) g.drawString(titleLines[i], 12, 22 + 19 * i);
        for (int p = 0; p < PANELS.size(); p++) {
            int x0 = (p % cols) * pw, y0 = top + (p / cols) * ph;
            panel(g, PANELS.get(p), x0, y0, pw, ph, warmupS, trends);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private void panel(
            Graphics2D g, Panel panel, int x0, int y0, int w, int h, double warmupS, Map<String, Trend> trends) {
        int left = x0 + 62, right = x0 + w - 14, ptop = y0 + 24, bottom = y0 + h - 34;
        int ti = col("t_s");
        double tMax = 1, vMin = Double.MAX_VALUE, vMax = -Double.MAX_VALUE;
        for (double[] r : rows) {
            tMax = Math.max(tMax, r[ti]);
            for (String s : panel.series()) {
                double v = r[col(s)] / panel.divisor();
                vMin = Math.min(vMin, v);
                vMax = Math.max(vMax, v);
            }
        }
        if (rows.isEmpty()) vMin = vMax = 0;
        if (vMin > 0 && vMin < 0.3 * vMax) vMin = 0;
        if (vMax - vMin < 1e-9) {
            vMax += 1;
            vMin = Math.max(0, vMin - 1);
        }
        double pad = (vMax - vMin) * 0.08;
        vMax += pad;
        if (vMin != 0) vMin -= pad;
        final double fMin = vMin, fMax = vMax, fT = tMax;
        java.util.function.DoubleUnaryOperator X = t -> left + (right - left) * t / fT;
        java.util.function.DoubleUnaryOperator Y = v -> bottom - (bottom - ptop) * (v - fMin) / (fMax - fMin);

        g.setColor(new Color(0xf0f0f0));
        g.fillRect(left, ptop, (int) (X.applyAsDouble(Math.min(warmupS, tMax)) - left), bottom - ptop);
        g.setColor(Color.GRAY);
        g.drawRect(left, ptop, right - left, bottom - ptop);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            double v = fMin + (fMax - fMin) * i / 4;
            int y = (int) Y.applyAsDouble(v);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, right - 1, y);
            g.setColor(Color.DARK_GRAY);
            String s = fMax - fMin < 10 ? String.format(Locale.ROOT, "%.2f", v) : fmt(v);
            g.drawString(s, left - 6 - g.getFontMetrics().stringWidth(s), y + 4);
        }
        for (int i = 0; i <= 6; i++) {
            double t = fT * i / 6;
            int x = (int) X.applyAsDouble(t);
            String s = String.format(Locale.ROOT, "%.0f", t / 60) + "m";
            if (fT < 600) s = String.format(Locale.ROOT, "%.0f", t) + "s";
            g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, bottom + 14);
        }
        for (int s = 0; s < panel.series().length; s++) {
            int vi = col(panel.series()[s]);
            g.setColor(COLORS[s % COLORS.length]);
            g.setStroke(
                    panel.series()[s].equals("threads_java")
                            ? new BasicStroke(
                                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {5, 4}, 0)
                            : new BasicStroke(1.5f));
            int px = -1, py = -1;
            for (double[] r : rows) {
                int x = (int) X.applyAsDouble(r[ti]), y = (int) Y.applyAsDouble(r[vi] / panel.divisor());
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
            }
        }
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(panel.title(), left, y0 + 16);
        Trend tr = trends.get(panel.series()[0]);
        if (tr != null && tr.judged()) {
            int ti2 = ti;
            List<double[]> post = rows.stream().filter(r -> r[ti2] >= warmupS).toList();
            double t1 = post.get(0)[ti], t2 = post.get(post.size() - 1)[ti];
            double a = tr.mean()
                    - tr.slopePerSecond()
                            * post.stream().mapToDouble(r -> r[ti2]).average().orElse(0);
            g.setColor(tr.upward() ? Color.RED : new Color(0x555555));
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {3, 3}, 0));
            g.drawLine(
                    (int) X.applyAsDouble(t1),
                    (int) Y.applyAsDouble((a + tr.slopePerSecond() * t1) / panel.divisor()),
                    (int) X.applyAsDouble(t2),
                    (int) Y.applyAsDouble((a + tr.slopePerSecond() * t2) / panel.divisor()));
            g.setColor(new Color(0x999999));
            g.setStroke(new BasicStroke(1));
            double[] floor = floors(post, ti, col(panel.series()[0]));
            for (int i = 1; i < floor.length; i++) {
                g.drawLine(
                        (int) X.applyAsDouble(post.get(i - 1)[ti]),
                        (int) Y.applyAsDouble(floor[i - 1] / panel.divisor()),
                        (int) X.applyAsDouble(post.get(i)[ti]),
                        (int) Y.applyAsDouble(floor[i] / panel.divisor()));
            }
            g.setColor(tr.upward() ? Color.RED : new Color(0x555555));
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            String v = (tr.upward() ? "UPWARD: " : "flat: ") + "growth " + fmt(tr.growth() / panel.divisor())
                    + " vs limit " + fmt(tr.limit() / panel.divisor());
            g.drawString(v, right - g.getFontMetrics().stringWidth(v), y0 + 16);
        }
        String legend = panel.series().length > 1 ? String.join(" / ", panel.series()) : "";
        if (!legend.isEmpty()) {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            int x = left + 4;
            for (int s = 0; s < panel.series().length; s++) {
                g.setColor(COLORS[s % COLORS.length]);
                g.drawString(panel.series()[s], x, bottom + 28);
                x += g.getFontMetrics().stringWidth(panel.series()[s]) + 12;
            }
        }
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    synchronized Map<String, double[]> firstAndLast() {
        Map<String, double[]> m = new LinkedHashMap<>();
        if (rows.isEmpty()) return m;
        for (int i = 0; i < columns.size(); i++)
            m.put(columns.get(i), new double[] {rows.get(0)[i], rows.get(rows.size() - 1)[i]});
        return m;
    }
}
