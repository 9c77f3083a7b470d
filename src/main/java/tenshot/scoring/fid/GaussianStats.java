package tenshot.scoring.fid;

import java.util.List;

/** Mean and covariance (divided by n−1) of feature vectors, in float64. */
public record GaussianStats(double[] mean, double[][] covariance, int count) {

    public static GaussianStats of(List<double[]> features) {
        int n = features.size();
        if (n < 2) throw new IllegalArgumentException("FID needs at least 2 feature vectors per side, got " + n);
        int d = features.get(0).length;
        double[] mean = new double[d];
        for (double[] f : features) {
            if (f.length != d) throw new IllegalArgumentException("feature sizes differ: " + f.length + " vs " + d);
            for (int i = 0; i < d; i++) mean[i] += f[i];
        }
        for (int i = 0; i < d; i++) mean[i] /= n;
        double[][] cov = new double[d][d];
        for (double[] f : features) {
            for (int i = 0; i < d; i++) {
                double di = f[i] - mean[i];
                for (int j = i; j < d; j++) cov[i][j] += di * (f[j] - mean[j]);
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new GaussianStats(mean, cov, n);
    }
}
