package tenshot.studio.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error body in RFC 9457 form ({@code application/problem+json}). {@code subject} names the file
 * or form field that was wrong, when there is one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String subject) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String title, String detail, String subject) {
        return new Problem("about:blank", title, status, detail, subject);
    }
}
