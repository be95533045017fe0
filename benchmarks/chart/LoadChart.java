import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws the output of {@code benchmarks/http/load.sh} as a PNG: per server, the median requests/s and the
 * median p99 as bars, every round as a dot. Headless Java2D, only a JDK:
 * {@code java -Djava.awt.headless=true benchmarks/chart/LoadChart.java <load.sh output> <out.png>}.
 * Reads the lines {@code run N <server> <req/s> req/s p99 <us> us ...}; fails if there are none.
 */
public class LoadChart {
    private static final Pattern RUN = Pattern.compile("^\\s*run (\\d+) (\\S+)\\s+([\\d.]+) req/s\\s+p99\\s+([\\d.]+) us");
    private static final Color[] COLORS = {new Color(0x2b6cb0), new Color(0x68a063), new Color(0xd69e2e), new Color(0x9f7aea)};
    private static final int W = 900, H = 420, TOP = 70, BOTTOM = 60, PANEL_GAP = 80, LEFT = 80;

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: LoadChart <load.sh output> <out.png>");
        }
        Map<String, List<double[]>> runs = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            Matcher m = RUN.matcher(line);
            if (m.find()) {
                runs.computeIfAbsent(m.group(2), k -> new ArrayList<>())
                        .add(new double[] {Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)) / 1000});
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalArgumentException(args[0] + " has no 'run N server R req/s p99 P us' line of load.sh");
        }
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        int rounds = runs.values().stream().mapToInt(List::size).max().orElse(0);
        g.drawString("benchmarks/http/load.sh: bars = median of " + rounds + " rounds, dots = each round", LEFT, 28);
        int panelW = (W - LEFT - PANEL_GAP - 30) / 2;
        panel(g, runs, 0, "requests/s (higher is better)", LEFT, panelW, false);
        panel(g, runs, 1, "p99 latency, ms (lower is better)", LEFT + panelW + PANEL_GAP, panelW, true);
        g.dispose();
        ImageIO.write(img, "png", Path.of(args[1]).toFile());
        System.out.println("wrote " + args[1] + " from " + runs.keySet() + ", " + rounds + " rounds");
    }

    private static void panel(Graphics2D g, Map<String, List<double[]>> runs, int field, String title, int x0, int w,
            boolean decimals) {
        double max = runs.values().stream().flatMap(List::stream).mapToDouble(r -> r[field]).max().orElse(1);
        double step = niceStep(max / 5);
        double top = Math.ceil(max / step) * step;
        int y0 = H - BOTTOM, h = H - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.BLACK);
        g.drawString(title, x0, TOP - 14);
        for (double v = 0; v <= top + step / 2; v += step) {
            int y = y0 - (int) Math.round(v / top * h);
            g.setColor(new Color(0xe2e8f0));
            g.drawLine(x0, y, x0 + w, y);
            g.setColor(Color.DARK_GRAY);
            String label = decimals ? String.format("%.1f", v) : String.format("%,.0f", v);
            g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        int n = runs.size(), slot = w / n, bar = slot * 3 / 5, i = 0;
        for (var e : runs.entrySet()) {
            double[] values = e.getValue().stream().mapToDouble(r -> r[field]).sorted().toArray();
            double median = values.length % 2 == 1 ? values[values.length / 2]
                    : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
            int bx = x0 + i * slot + (slot - bar) / 2;
            int bh = (int) Math.round(median / top * h);
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(bx, y0 - bh, bar, bh);
            g.setColor(Color.WHITE); // the median, inside the bar's foot: the dots may sit at its top
            String label = decimals ? String.format("%.2f", median) : String.format("%,.0f", median);
            g.drawString(label, bx + (bar - g.getFontMetrics().stringWidth(label)) / 2, y0 - 10);
            g.setStroke(new BasicStroke(1.5f));
            for (int k = 0; k < values.length; k++) {
                int dy = y0 - (int) Math.round(values[k] / top * h);
                int dx = bx + bar / 2 + (k - (values.length - 1) / 2) * 10;
                g.setColor(Color.WHITE);
                g.fillOval(dx - 4, dy - 4, 8, 8);
                g.setColor(Color.BLACK);
                g.drawOval(dx - 4, dy - 4, 8, 8);
            }
            String name = e.getKey();
            g.drawString(name, x0 + i * slot + (slot - g.getFontMetrics().stringWidth(name)) / 2, y0 + 20);
            i++;
        }
        g.setColor(Color.BLACK);
        g.drawLine(x0, y0, x0 + w, y0);
    }

    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
