package tenshot.studio.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/**
 * An error body in RFC 9457 form ({@code application/problem+json}), the one home of every HTTP error
 * body in the studio, the queue and the worker APIs. {@code subject} names the file or form field that
 * was wrong, when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String subject) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail, String subject) {
        return new Problem("about:blank", title, status, detail, subject);
    }

    /** A problem titled with the status's reason phrase. */
    public static Problem of(Response.Status status, String detail) {
        return of(status.getStatusCode(), status.getReasonPhrase(), detail, null);
    }

    /** The HTTP answer carrying this problem: its status, {@link #MEDIA_TYPE}, this body. */
    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(this).build();
    }
}
