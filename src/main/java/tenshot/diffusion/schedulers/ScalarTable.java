package tenshot.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Per-step coefficients copied to the device once, as 0-d views of one tensor, so a step multiplies
 * by device scalars instead of creating a tensor from the host for every constant.
 */
final class ScalarTable {

    private final NDArray[][] rows;

    ScalarTable(NDManager manager, double[][] values) {
        int width = values.length == 0 ? 0 : values[0].length;
        float[] flat = new float[values.length * width];
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < width; c++) flat[r * width + c] = (float) values[r][c];
        }
        rows = new NDArray[values.length][width];
        if (flat.length == 0) return;
        NDArray all = manager.create(flat);
        for (int r = 0; r < values.length; r++) {
            for (int c = 0; c < width; c++) rows[r][c] = all.get(r * width + c);
        }
    }

    NDArray get(int row, int column) {
        return rows[row][column];
    }
}
