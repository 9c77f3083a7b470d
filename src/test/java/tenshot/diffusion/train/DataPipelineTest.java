package tenshot.diffusion.train;

import tenshot.diffusion.image.ExifOrientation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tenshot.testing.Fixtures;

class DataPipelineTest {

    @Test
    void objectNamesComeFromFileNames() {
        assertEquals("wallet", PromptTemplate.objectFromFileName("wallet_.png"));
        assertEquals("cypress tree", PromptTemplate.objectFromFileName("cypress_tree.png"));
        assertEquals("olive tree", PromptTemplate.objectFromFileName("images/olive_tree_02.jpg"));
        assertEquals("dog", PromptTemplate.objectFromFileName("dog3.jpeg"));
        assertEquals("3d printer", PromptTemplate.objectFromFileName("3d_printer.png"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptTemplate.objectFromFileName("_12_.png"));
        assertTrue(e.getMessage().contains("_12_.png"), e.getMessage());
    }

    @Test
    void templatesRenderAndRejectUnknownPlaceholders() {
        assertEquals("an image of boat in style_00", PromptTemplate.DEFAULT_INSTANCE.render("boat", "00"));
        assertEquals("style_07", new PromptTemplate("style_{id}").render("boat", "07"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PromptTemplate("a {thing} in style_{id}"));
        assertTrue(e.getMessage().contains("{thing}"), e.getMessage());
    }

    @Test
    void styleSetGivesInstanceAndClassPrompts() throws Exception {
        StyleFolder set = StyleFolder.open(Fixtures.dataset("jittor-a/00"));
        assertEquals(10, set.images().size());
        assertEquals(25, set.prompts().size());
        assertEquals("Dolphin", set.prompts().get(0));
        assertEquals("Lion", set.prompts().get(24));
        List<String> instance = set.instancePrompts(PromptTemplate.DEFAULT_INSTANCE, "00");
        assertEquals("an image of boat in style_00", instance.get(0));
        assertTrue(instance.contains("an image of cypress tree in style_00"), instance.toString());
        List<String> classes = set.classPrompts(PromptTemplate.DEFAULT_CLASS);
        assertEquals(35, classes.size());
        assertTrue(classes.contains("an image of Dolphin"));
        assertTrue(classes.contains("an image of wheat field"));
        assertTrue(classes.stream().noneMatch(p -> p.contains("style_")));
    }

    @Test
    void classImageKeysCoverEveryClassPromptWithOneSeedPerImage() throws Exception {
        StyleFolder set = StyleFolder.open(Fixtures.dataset("jittor-a/00"));
        List<ClassImageCache.Key> keys = DreamBoothTrainer.classImageKeys(TrainingRecipe.safe(), set, "sd21", 768);
        assertEquals(35 * TrainingRecipe.safe().classImagesPerPrompt(), keys.size());
        assertEquals("an image of boat", keys.get(0).prompt());
        assertEquals(42, keys.get(0).seed());
        assertEquals(43, keys.get(1).seed());
        assertEquals(768, keys.get(0).size());
        assertEquals(keys.size(), keys.stream().map(ClassImageCache.Key::hash).distinct().count());
    }

    @Test
    void styleSetErrorsNameTheProblem(@TempDir Path dir) throws Exception {
        IllegalArgumentException noImages = assertThrows(IllegalArgumentException.class, () -> StyleFolder.open(dir));
        assertTrue(noImages.getMessage().contains("images/"), noImages.getMessage());
        Files.createDirectories(dir.resolve("images"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("images/cat.png").toFile());
        Files.writeString(dir.resolve("prompt.json"), "{\"0\": \"Dog\", \"x\": \"Cat\"}");
        IllegalArgumentException badKey = assertThrows(IllegalArgumentException.class, () -> StyleFolder.open(dir));
        assertTrue(badKey.getMessage().contains("'x'") && badKey.getMessage().contains("prompt.json"), badKey.getMessage());
        Files.writeString(dir.resolve("prompt.json"), "[\"Dog\", \"Cat\"]");
        assertEquals(List.of("Dog", "Cat"), StyleFolder.open(dir).prompts());
    }

    @Test
    void realImagesBecomeSeededCropsInRange() throws Exception {
        StyleFolder set = StyleFolder.open(Fixtures.dataset("jittor-a/00"));
        BufferedImage image = StyleImageReader.read(set.images().get(0));
        assertEquals(1024, image.getWidth());
        Augmentation augmentation = Augmentation.cropOnly(64);
        assertEquals(67, augmentation.resizedShortSide());
        float[] a = augmentation.apply(image, new SplittableRandom(7));
        float[] b = augmentation.apply(image, new SplittableRandom(7));
        assertEquals(3 * 64 * 64, a.length);
        assertArrayEquals(a, b);
        boolean anyDifferent = false;
        for (long seed = 8; seed < 14 && !anyDifferent; seed++) {
            anyDifferent = !Arrays.equals(a, augmentation.apply(image, new SplittableRandom(seed)));
        }
        assertTrue(anyDifferent, "different seeds never moved the crop");
        for (float v : a) assertTrue(v >= -1f && v <= 1f, "pixel out of [-1, 1]: " + v);
    }

    @Test
    void downscalingAveragesInsteadOfSkippingPixels() {
        BufferedImage checker = new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 128; y++) {
            for (int x = 0; x < 256; x++) checker.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
        }
        Augmentation augmentation = new Augmentation(32, 1.0, true, 10);
        float[] out = augmentation.apply(checker, new SplittableRandom(1));
        // short side 128 -> 32 px, long side 64 px; every output pixel averages a 4x4 patch: mid grey (0 in [-1, 1])
        for (float v : out) assertEquals(0f, v, 0.05f);
    }

    @Test
    void nonSquareImagesKeepTheirAspectBeforeTheCrop() {
        BufferedImage wide = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 200; x++) wide.setRGB(x, y, x < 100 ? 0xFF0000 : 0x0000FF);
        }
        Augmentation augmentation = new Augmentation(48, 1.0, false, 0);
        // short side 100 -> 48, long side 96: the 48 px crop lies somewhere in a red|blue image twice as wide
        float[] crop = augmentation.apply(wide, new SplittableRandom(3));
        int plane = 48 * 48;
        float topLeftRed = crop[0];
        float topRightRed = crop[47];
        assertTrue(topLeftRed >= topRightRed, "red must fade towards the right");
        assertEquals(-1f, crop[plane + 10], 1e-3, "green stays black");
    }

    @Test
    void flipMirrorsTheCrop() {
        BufferedImage ramp = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) ramp.setRGB(x, y, (x * 4) << 16);
        }
        Augmentation flipping = new Augmentation(64, 1.0, true, 0);
        boolean sawMirror = false;
        boolean sawPlain = false;
        for (long seed = 0; seed < 16; seed++) {
            float[] out = flipping.apply(ramp, new SplittableRandom(seed));
            if (out[0] > out[63]) sawMirror = true;
            if (out[0] < out[63]) sawPlain = true;
        }
        assertTrue(sawMirror && sawPlain, "a flip with p=1/2 should give both orientations over 16 seeds");
        float[] never = Augmentation.cropOnly(64).apply(ramp, new SplittableRandom(0));
        assertTrue(never[0] < never[63]);
    }

    @Test
    void exifOrientationIsAppliedToJpegs() throws Exception {
        BufferedImage image = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 32; x++) image.setRGB(x, y, x < 16 ? 0xFF0000 : 0x0000FF);
        }
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        ImageIO.write(image, "jpg", jpeg);
        byte[] plain = jpeg.toByteArray();
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(plain));
        byte[] rotated = withExifOrientation(plain, 6);
        assertEquals(6, ExifOrientation.read(rotated));

        Path file = Files.createTempFile("exif", ".jpg");
        try {
            Files.write(file, rotated);
            BufferedImage upright = StyleImageReader.read(file);
            // stored landscape, shown rotated 90° clockwise: the left (red) half ends up on top
            assertEquals(16, upright.getWidth());
            assertEquals(32, upright.getHeight());
            assertTrue(((upright.getRGB(8, 4) >> 16) & 0xFF) > 200, "top should be red");
            assertTrue((upright.getRGB(8, 28) & 0xFF) > 200, "bottom should be blue");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void everyOrientationMapsCornersLikePil() {
        BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
        // pixel value = its (x, y) so we can see where each one lands
        for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) image.setRGB(x, y, x * 16 + y);
        int topLeftOf2 = ExifOrientation.apply(image, 2).getRGB(0, 0) & 0xFFFFFF;
        assertEquals(2 * 16, topLeftOf2);
        assertEquals(2 * 16 + 1, ExifOrientation.apply(image, 3).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(1, ExifOrientation.apply(image, 4).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0, ExifOrientation.apply(image, 5).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(1, ExifOrientation.apply(image, 6).getRGB(0, 0) & 0xFFFFFF); // bottom-left goes to top-left
        assertEquals(2 * 16 + 1, ExifOrientation.apply(image, 7).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(2 * 16, ExifOrientation.apply(image, 8).getRGB(0, 0) & 0xFFFFFF); // top-right goes to top-left
        assertEquals(2, ExifOrientation.apply(image, 6).getWidth());
    }

    @Test
    void transparencyIsFlattenedOntoWhite(@TempDir Path dir) throws Exception {
        BufferedImage rgba = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00000000); // fully transparent black
        rgba.setRGB(1, 0, 0xFF00FF00); // opaque green
        Path file = dir.resolve("leaf.png");
        ImageIO.write(rgba, "png", file.toFile());
        BufferedImage read = StyleImageReader.read(file);
        assertEquals(0xFFFFFF, read.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, read.getRGB(1, 0) & 0xFFFFFF);
        assertFalse(read.getColorModel().hasAlpha());
    }

    /** Inserts an APP1 Exif segment (big-endian TIFF, one IFD0 entry: orientation) right after SOI. */
    private static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] payload = new byte[6 + tiff.capacity()];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, payload, 0, 6);
        System.arraycopy(tiff.array(), 0, payload, 6, tiff.capacity());
        int length = payload.length + 2;
        byte[] out = new byte[jpeg.length + 4 + payload.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xD8;
        out[2] = (byte) 0xFF;
        out[3] = (byte) 0xE1;
        out[4] = (byte) (length >> 8);
        out[5] = (byte) length;
        System.arraycopy(payload, 0, out, 6, payload.length);
        System.arraycopy(jpeg, 2, out, 6 + payload.length, jpeg.length - 2);
        return out;
    }
}
