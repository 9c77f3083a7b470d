package tenshot.scoring.image;

/** Geometry helpers of the Hugging Face image processors. */
public final class Crops {

    private Crops() {}

    /**
     * transformers' {@code center_crop}: offsets {@code (size − crop) / 2} rounded down; an image smaller
     * than the crop is zero-padded around, as transformers does.
     */
    public static RgbImage center(RgbImage in, int width, int height) {
        int top = (in.height() - height) / 2;
        int left = (in.width() - width) / 2;
        if (in.height() < height) top = -((height - in.height() + 1) / 2);
        if (in.width() < width) left = -((width - in.width() + 1) / 2);
        byte[] out = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= in.height()) continue;
            for (int x = 0; x < width; x++) {
                int sx = x + left;
                if (sx < 0 || sx >= in.width()) continue;
                System.arraycopy(in.rgb(), (sy * in.width() + sx) * 3, out, (y * width + x) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }

    /**
     * transformers' {@code shortest_edge} resize target: the short side becomes {@code shortest}, the long
     * side {@code int(shortest · long / short)}. Returns {@code {width, height}}.
     */
    public static int[] shortestEdge(int width, int height, int shortest) {
        if (width <= height) return new int[] {shortest, (int) ((long) shortest * height / width)};
        return new int[] {(int) ((long) shortest * width / height), shortest};
    }
}
