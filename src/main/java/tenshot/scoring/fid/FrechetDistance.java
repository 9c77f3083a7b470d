package tenshot.scoring.fid;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

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
        DMatrixRMaj rootA = sqrtPsd(new DMatrixRMaj(a));
        DMatrixRMaj m = new DMatrixRMaj(a.length, a.length);
        CommonOps_DDRM.mult(CommonOps_DDRM.mult(rootA, new DMatrixRMaj(b), null), rootA, m);
        CommonOps_DDRM.add(0.5, m, 0.5, CommonOps_DDRM.transpose(m, null), m); // symmetric up to round-off; make it exact
        EigenDecomposition_F64<DMatrixRMaj> eig = symmetricEigen(m);
        double sum = 0;
        for (int k = 0; k < eig.getNumberOfEigenvalues(); k++) sum += Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
        return sum;
    }

    static DMatrixRMaj sqrtPsd(DMatrixRMaj a) {
        EigenDecomposition_F64<DMatrixRMaj> eig = symmetricEigen(a);
        DMatrixRMaj out = new DMatrixRMaj(a.numRows, a.numCols);
        for (int k = 0; k < eig.getNumberOfEigenvalues(); k++) {
            double r = Math.sqrt(Math.max(eig.getEigenvalue(k).getReal(), 0));
            if (r > 0) CommonOps_DDRM.multAddTransB(r, eig.getEigenVector(k), eig.getEigenVector(k), out);
        }
        return out;
    }

    private static EigenDecomposition_F64<DMatrixRMaj> symmetricEigen(DMatrixRMaj matrix) {
        if (matrix.numRows != matrix.numCols) {
            throw new IllegalArgumentException("covariance is not square: " + matrix.numRows + "x" + matrix.numCols);
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(matrix.numRows, true, true);
        if (!eig.decompose(matrix.copy())) throw new ArithmeticException("eigen-decomposition of a covariance did not converge");
        return eig;
    }
}
