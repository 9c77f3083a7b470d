package tenshot.diffusion.weights;

/** A checkpoint that cannot be read or does not match the model: the message names the file and key. */
public class WeightsException extends RuntimeException {

    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
