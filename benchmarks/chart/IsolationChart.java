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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws the table of {@code benchmarks/run-isolation.sh} ({@code benchmarks/results/iso-table.tmp}) as a PNG:
 * four panels (round trip p50 from the primary loop, one-way rate, fork to online, HTTP req/s), a bar per
 * THREAD / PROCESS / Node value with its figure written on it. Headless Java2D, only a JDK:
 * {@code java -Djava.awt.headless=true benchmarks/chart/IsolationChart.java <iso-table.tmp> <out.png>}.
 * The table's columns are fixed-width (a 44-character label, then three 12-character cells); fails if a
 * row it needs is missing.
 */
public class IsolationChart {
    private static final Color THREAD = new Color(0x2b6cb0);
    private static final Color PROCESS = new Color(0xd69e2e);
    private static final Color NODE = new Color(0x68a063);
    private static final Pattern NUMBER = Pattern.compile("[\\d.]+");
    private static final int W = 1100, PANEL_H = 230, TOP = 60, LEFT = 260, BAR_H = 16;

    record Bar(String label, double value, Color color, String text) {
    }

    record Panel(String title, List<Bar> bars) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: IsolationChart <iso-table.tmp> <out.png>");
        }
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        List<Panel> panels = new ArrayList<>();

        List<Bar> rt = new ArrayList<>();
        for (String p : List.of("record", "1k", "64k")) {
            String[] row = row(lines, "loop round trip p50 (us), " + p);
            add(rt, p + " THREAD", row[0], THREAD, " us");
            add(rt, p + " PROCESS", row[1], PROCESS, " us");
            if (p.equals("record")) {
                add(rt, "string, Node cluster", row[2], NODE, " us");
            }
        }
        panels.add(new Panel("message round trip p50, driven from the primary loop (lower is better)", rt));

        List<Bar> ow = new ArrayList<>();
        String[] oneWay = row(lines, "one-way (M msgs/s)");
        add(ow, "THREAD", oneWay[0], THREAD, " M/s");
        add(ow, "PROCESS", oneWay[1], PROCESS, " M/s");
        add(ow, "Node cluster", oneWay[2], NODE, " M/s");
        panels.add(new Panel("one-way messages per second (higher is better)", ow));

        List<Bar> fork = new ArrayList<>();
        String[] fo = row(lines, "fork->online p50 (ms)");
        add(fork, "THREAD", fo[0], THREAD, " ms");
        add(fork, "PROCESS", fo[1], PROCESS, " ms");
        add(fork, "PROCESS, C1 only", row(lines, "  C1 only (ms)")[1], PROCESS, " ms");
        add(fork, "PROCESS, AOT cache", row(lines, "  with AOT cache (ms)")[1], PROCESS, " ms");
        add(fork, "PROCESS, AppCDS", row(lines, "  with AppCDS (ms)")[1], PROCESS, " ms");
        add(fork, "Node cluster", fo[2], NODE, " ms");
        panels.add(new Panel("fork -> online p50 (lower is better)", fork));

        List<Bar> http = new ArrayList<>();
        for (String policy : List.of("ROUND_ROBIN", "SHARED")) {
            String[] row = row(lines, "HTTP req/s, 2 workers, " + policy);
            add(http, policy + " THREAD", row[0], THREAD, " req/s");
            add(http, policy + " PROCESS", row[1], PROCESS, " req/s");
        }
        panels.add(new Panel("hello HTTP server, 2 workers, wrk -t2 -c64 (higher is better)", http));

        int height = TOP + panels.stream().mapToInt(p -> 40 + p.bars().size() * (BAR_H + 8)).sum() + 30;
        BufferedImage img = new BufferedImage(W, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("loomcluster: threads (THREAD) or processes (PROCESS), Node 20 cluster alongside", 20, 32);
        int y = TOP;
        for (Panel panel : panels) {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(Color.BLACK);
            g.drawString(panel.title(), 20, y + 14);
            y += 26;
            double max = panel.bars().stream().mapToDouble(Bar::value).max().orElse(1);
            int width = W - LEFT - 160;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (Bar bar : panel.bars()) {
                g.setColor(Color.DARK_GRAY);
                g.drawString(bar.label(), 30, y + BAR_H - 3);
                int w = (int) Math.max(2, Math.round(width * bar.value() / max));
                g.setColor(bar.color());
                g.fillRect(LEFT, y, w, BAR_H);
                g.setColor(Color.BLACK);
                g.drawString(bar.text(), LEFT + w + 8, y + BAR_H - 3);
                y += BAR_H + 8;
            }
            g.setColor(new Color(0xdddddd));
            g.setStroke(new BasicStroke(1));
            g.drawLine(20, y + 4, W - 20, y + 4);
            y += 14;
        }
        g.dispose();
        ImageIO.write(img, "png", Path.of(args[1]).toFile());
    }

    /** The three cells of the row whose label is {@code label}. */
    private static String[] row(List<String> lines, String label) {
        for (String line : lines) {
            if (line.length() >= 44 && line.substring(0, 44).strip().equals(label.strip())
                    && line.substring(0, 44).startsWith(label)) {
                String cells = line.substring(44);
                return new String[]{cell(cells, 0), cell(cells, 1), cell(cells, 2)};
            }
        }
        throw new IllegalArgumentException("no row \"" + label + "\" in the table");
    }

    private static String cell(String cells, int i) {
        int from = 1 + 13 * i;
        return from >= cells.length() ? "-" : cells.substring(from, Math.min(cells.length(), from + 12)).strip();
    }

    private static void add(List<Bar> bars, String label, String cell, Color color, String unit) {
        Matcher m = NUMBER.matcher(cell);
        if (cell.equals("-") || !m.find()) {
            return;
        }
        double v = Double.parseDouble(m.group());
        String text = (v >= 1000 ? String.format("%,.0f", v) : cell.replaceAll("\\s.*", "")) + unit;
        bars.add(new Bar(label, v, color, text));
    }
}
