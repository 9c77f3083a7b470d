package tenshot.worker;

/** A failure that retrying cannot fix (bad input, missing file): the job fails without further attempts. */
public class PermanentJobFailure extends RuntimeException {
    public PermanentJobFailure(String message) {
        super(message);
    }

    public PermanentJobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
