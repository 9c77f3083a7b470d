package tenshot.diffusion.styleid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StyleImageChoiceTest {

    private static BufferedImage filled(int size, Color color) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, size, size);
        g.dispose();
        return image;
    }

    /** Left half one colour, right half another. */
    private static BufferedImage halves(int size, Color left, Color right) {
        BufferedImage image = filled(size, left);
        Graphics2D g = image.createGraphics();
        g.setColor(right);
        g.fillRect(size / 2, 0, size - size / 2, size);
        g.dispose();
        return image;
    }

    @Test
    void nearestAverageIsTheImageClosestToThePixelMeanWhateverTheOrder() {
        BufferedImage black = filled(32, Color.BLACK);
        BufferedImage grey = filled(32, new Color(100, 100, 100));
        BufferedImage white = filled(32, Color.WHITE);
        // mean grey level 118.3: grey (100) is nearer than black (0) or white (255)
        assertEquals(1, StyleImageChoice.nearestAverage(List.of(black, grey, white), 16, 16));
        assertEquals(2, StyleImageChoice.nearestAverage(List.of(white, black, grey), 16, 16));
        assertEquals(0, StyleImageChoice.nearestAverage(List.of(grey, white, black), 16, 16));
    }

    @Test
    void comparesPixelByPixelAtTheGenerationSize() {
        // Of different sizes, all resized to 8x8. The mean is red-ish on the left and grey-blue on the right.
        // The flat image has about the mean's overall colour, but per pixel the half-red, half-grey one is nearest
        // (sums of squared 8-bit differences per pixel: flat 17294, red/blue 23212, red/grey 9907).
        BufferedImage flat = filled(64, new Color(156, 41, 104));
        BufferedImage redBlue = halves(40, Color.RED, Color.BLUE);
        BufferedImage redGrey = halves(24, Color.RED, Color.GRAY);
        assertEquals(2, StyleImageChoice.nearestAverage(List.of(flat, redBlue, redGrey), 8, 8));
        assertEquals(0, StyleImageChoice.nearestAverage(List.of(redGrey, flat, redBlue), 8, 8));
    }

    @Test
    void theFirstOfEqualImagesWins() {
        BufferedImage a = filled(8, Color.RED);
        BufferedImage b = filled(8, Color.RED);
        assertEquals(0, StyleImageChoice.nearestAverage(List.of(a, b), 8, 8));
        StyleImageChoice choice = StyleImageChoice.of("nearest-average", List.of(a, b), 8);
        for (int prompt = 0; prompt < 5; prompt++) assertSame(a, choice.forPrompt(prompt));
    }

    @Test
    void eachTakesTheStyleImagesInTurn() {
        List<BufferedImage> images = List.of(filled(8, Color.RED), filled(8, Color.GREEN), filled(8, Color.BLUE));
        StyleImageChoice choice = StyleImageChoice.of("each", images, 8);
        for (int prompt = 0; prompt < 7; prompt++) assertSame(images.get(prompt % 3), choice.forPrompt(prompt));
    }

    @Test
    void refusesNoImagesAndUnknownModes() {
        assertThrows(IllegalArgumentException.class, () -> StyleImageChoice.of("each", List.of(), 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StyleImageChoice.of("random", List.of(filled(8, Color.RED)), 8));
        assertTrue(e.getMessage().contains("styleImage"), e.getMessage());
    }
}
