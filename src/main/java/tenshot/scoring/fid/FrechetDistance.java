package tenshot.scoring.fid;

/**
 * The Fréchet distance between two Gaussians, in float64:
 * {@code |μ1−μ2|² + tr Σ1 + tr Σ2 − 2·tr √(Σ1·Σ2)}.
 *
 * <p>The reference implementation takes the eigenvalues of the (non-symmetric) product Σ1·Σ2, their
 * complex square roots, and sums the real parts. Σ1·Σ2 is similar to the symmetric positive
 * semi-definite {@code √Σ1·Σ2·√Σ1}, so the same eigenvalues come from two symmetric decompositions;
 * negative round-off eigenvalues have purely imaginary roots, whose real part is 0, hence the clamp.
 */
public final class FrechetDistance {

    private FrechetDistance() {}

    public static double between(GaussianStats a, GaussianStats b) {
        int d = a.mean().length;
        if (b.mean().length != d) throw new IllegalArgumentException("feature sizes differ: " + d + " vs " + b.mean().length);
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mean()[i] - b.mean()[i];
            meanTerm += diff * diff;
        }
        double trace = 0;
        for (int i = 0; i < d; i++) trace += a.covariance()[i][i] + b.covariance()[i][i];
        return meanTerm + trace - 2 * traceSqrtProduct(a.covariance(), b.covariance());
    }

    /** {@code tr √(A·B)} for symmetric positive semi-definite A and B. */
    public static double traceSqrtProduct(double[][] a, double[][] b) {
        double[][] rootA = sqrtPsd(a);
        double[][] m = multiply(multiply(rootA, b), rootA);
        int n = m.length;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = (m[i][j] + m[j][i]) / 2;
                m[i][j] = s;
                m[j][i] = s;
            }
        }
        double sum = 0;
        for (double lambda : SymmetricEigen.of(m).values()) sum += Math.sqrt(Math.max(lambda, 0));
        return sum;
    }

    static double[][] sqrtPsd(double[][] a) {
        SymmetricEigen eig = SymmetricEigen.of(a);
        double[] values = eig.values();
        double[][] v = eig.vectors();
        int n = a.length;
        double[][] out = new double[n][n];
        for (int k = 0; k < n; k++) {
            double r = Math.sqrt(Math.max(values[k], 0));
            if (r == 0) continue;
            for (int i = 0; i < n; i++) {
                double vik = v[i][k] * r;
                for (int j = 0; j < n; j++) out[i][j] += vik * v[j][k];
            }
        }
        return out;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        int k = b.length;
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double aip = a[i][p];
                if (aip == 0) continue;
                for (int j = 0; j < m; j++) out[i][j] += aip * b[p][j];
            }
        }
        return out;
    }
}
