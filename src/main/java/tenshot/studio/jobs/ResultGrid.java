package tenshot.studio.jobs;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The picture of a run: the style images in the first row, then every generation, each cell
 * captioned (object names on the style row, prompts below). Drawn with Java2D, headless.
 */
public final class ResultGrid {

    /** One cell: an image and its caption. */
    public record Cell(BufferedImage image, String caption) {}

    public static final int CELL = 256;
    public static final int CAPTION = 28;
    public static final int GAP = 8;
    public static final int MAX_COLUMNS = 10;

    private ResultGrid() {}

    public static BufferedImage draw(List<Cell> styleRow, List<Cell> generations) {
        int columns = Math.max(1, Math.min(MAX_COLUMNS, Math.max(styleRow.size(), Math.min(5, generations.size()))));
        int styleRows = (styleRow.size() + columns - 1) / columns;
        int generationRows = (generations.size() + columns - 1) / columns;
        int rowHeight = CELL + CAPTION + GAP;
        int separator = generations.isEmpty() ? 0 : 2 * GAP;
        int width = GAP + columns * (CELL + GAP);
        int height = GAP + (styleRows + generationRows) * rowHeight + separator;
        BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            int y = GAP;
            y = drawRows(g, styleRow, columns, y, new Color(0xEEF2F7));
            if (!generations.isEmpty()) {
                g.setColor(new Color(0x9AA5B1));
                g.fillRect(GAP, y + GAP - 1, width - 2 * GAP, 2);
                y += separator;
                drawRows(g, generations, columns, y, Color.WHITE);
            }
        } finally {
            g.dispose();
        }
        return grid;
    }

    private static int drawRows(Graphics2D g, List<Cell> cells, int columns, int y0, Color background) {
        int y = y0;
        for (int i = 0; i < cells.size(); i++) {
            int column = i % columns;
            if (i > 0 && column == 0) y += CELL + CAPTION + GAP;
            int x = GAP + column * (CELL + GAP);
            Cell cell = cells.get(i);
            g.setColor(background);
            g.fillRect(x, y, CELL, CELL + CAPTION);
            if (cell.image() != null) {
                BufferedImage image = cell.image();
                double scale = Math.min((double) CELL / image.getWidth(), (double) CELL / image.getHeight());
                int w = (int) Math.round(image.getWidth() * scale);
                int h = (int) Math.round(image.getHeight() * scale);
                g.drawImage(image, x + (CELL - w) / 2, y + (CELL - h) / 2, w, h, null);
            }
            g.setColor(new Color(0x1F2933));
            FontMetrics metrics = g.getFontMetrics();
            String caption = fit(cell.caption(), metrics, CELL - 8);
            g.drawString(caption, x + (CELL - metrics.stringWidth(caption)) / 2, y + CELL + CAPTION - 9);
        }
        return cells.isEmpty() ? y : y + CELL + CAPTION + GAP;
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) return text;
        String cut = text;
        while (!cut.isEmpty() && metrics.stringWidth(cut + "…") > width) cut = cut.substring(0, cut.length() - 1);
        return cut + "…";
    }
}
