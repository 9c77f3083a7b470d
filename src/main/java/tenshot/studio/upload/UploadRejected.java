package tenshot.studio.upload;

/**
 * Bad input in an upload. {@code subject} names what is wrong: a file name ({@code "boat.png"}) or a
 * form field ({@code "prompts"}); the studio answers 4xx with both.
 */
public class UploadRejected extends RuntimeException {

    private final String subject;
    private final int status;

    public UploadRejected(String subject, String message) {
        this(subject, message, 400);
    }

    public UploadRejected(String subject, String message, int status) {
        super(subject + ": " + message);
        this.subject = subject;
        this.status = status;
    }

    public String subject() {
        return subject;
    }

    public int status() {
        return status;
    }
}
