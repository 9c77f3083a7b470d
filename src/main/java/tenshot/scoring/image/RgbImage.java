package tenshot.scoring.image;

import java.awt.image.BufferedImage;
import java.util.Objects;
import tenshot.diffusion.image.PilResize;

/**
 * An 8-bit RGB image, pixels interleaved row by row ({@code r, g, b} per pixel), which is what every
 * metric starts from. {@code colorMode} says what the file held before conversion (PIL's mode names:
 * {@code RGB}, {@code RGBA}, {@code L}, {@code LA}, {@code P}, ...) so that layout checks can flag
 * non-RGB uploads; alpha is dropped, as both PIL's {@code convert("RGB")} and OpenCV's {@code imread} do.
 */
public record RgbImage(int width, int height, byte[] rgb, String colorMode) {

    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, expected " + width * height * 3
                    + " for " + width + "x" + height);
        }
        colorMode = colorMode == null ? "RGB" : colorMode;
    }

    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb, "RGB");
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Resized as Pillow's {@code Image.resize} does, bit-exact ({@link PilResize}); this image when the size is the same. */
    public RgbImage resized(int newWidth, int newHeight, PilResize.Filter filter) {
        return resized(newWidth, newHeight, filter, false);
    }

    /** As {@link #resized(int, int, PilResize.Filter)}, with torchvision's uint8 kernel precision when {@code torchvision}. */
    public RgbImage resized(int newWidth, int newHeight, PilResize.Filter filter, boolean torchvision) {
        if (newWidth == width && newHeight == height) return this;
        return new RgbImage(newWidth, newHeight, PilResize.resizeRgb(rgb, width, height, newWidth, newHeight, filter, torchvision));
    }

    public boolean isRgb() {
        return "RGB".equals(colorMode);
    }

    /** Converts any BufferedImage; alpha is dropped, grey is replicated, palettes are expanded. */
    public static RgbImage of(BufferedImage image) {
        return ImageFiles.toRgb(image, ImageFiles.colorMode(image));
    }

    public BufferedImage toBufferedImage() {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((java.awt.image.DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < width * height; i++) {
            bgr[i * 3] = rgb[i * 3 + 2];
            bgr[i * 3 + 1] = rgb[i * 3 + 1];
            bgr[i * 3 + 2] = rgb[i * 3];
        }
        return out;
    }
}
