package tenshot.studio.api;

/** A request the studio refuses, with the HTTP status and the thing (field, id) it is about. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String title;
    private final String subject;

    public ApiException(int status, String title, String message, String subject) {
        super(message);
        this.status = status;
        this.title = title;
        this.subject = subject;
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(404, "Not Found", "no " + what + " with id " + id, what);
    }

    public static ApiException badField(String field, String message) {
        return new ApiException(400, "Bad Request", field + ": " + message, field);
    }

    public static ApiException conflict(String subject, String message) {
        return new ApiException(409, "Conflict", message, subject);
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String subject() {
        return subject;
    }
}
