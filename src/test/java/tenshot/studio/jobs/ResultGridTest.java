package tenshot.studio.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultGridTest {

    private static BufferedImage filled(int rgb) {
        BufferedImage image = new BufferedImage(512, 512, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 512; y++) for (int x = 0; x < 512; x++) image.setRGB(x, y, rgb);
        return image;
    }

    @Test
    void styleImagesFillTheFirstRowAndGenerationsFollow() {
        List<ResultGrid.Cell> style = new ArrayList<>();
        for (int i = 0; i < 10; i++) style.add(new ResultGrid.Cell(filled(0xFF0000), "object " + i));
        List<ResultGrid.Cell> generated = new ArrayList<>();
        for (int i = 0; i < 25; i++) generated.add(new ResultGrid.Cell(filled(0x00FF00), "a very long prompt number " + i));
        BufferedImage grid = ResultGrid.draw(style, generated);
        int step = ResultGrid.CELL + ResultGrid.GAP;
        assertEquals(ResultGrid.GAP + 10 * step, grid.getWidth());
        int rows = 1 + 3;
        assertEquals(ResultGrid.GAP + rows * (ResultGrid.CELL + ResultGrid.CAPTION + ResultGrid.GAP) + 2 * ResultGrid.GAP, grid.getHeight());
        int center = ResultGrid.GAP + ResultGrid.CELL / 2;
        assertEquals(0xFF0000, grid.getRGB(center, center) & 0xFFFFFF, "style row on top");
        int secondRow = center + ResultGrid.CELL + ResultGrid.CAPTION + ResultGrid.GAP + 2 * ResultGrid.GAP;
        assertEquals(0x00FF00, grid.getRGB(center, secondRow) & 0xFFFFFF, "generations below");
        assertEquals(0xFFFFFF, grid.getRGB(grid.getWidth() - 1 - ResultGrid.GAP - ResultGrid.CELL / 2,
                grid.getHeight() - ResultGrid.GAP - ResultGrid.CAPTION - ResultGrid.CELL / 2) & 0xFFFFFF,
                "the last row holds 5 generations; the rest is blank");
    }
}
