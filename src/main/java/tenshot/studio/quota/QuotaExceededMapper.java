package tenshot.studio.quota;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tenshot.studio.api.Problem;

/** A refused request as 429 problem+json, with Retry-After when the limit resets at a known time. */
public class QuotaExceededMapper {

    @ServerExceptionMapper
    public Response exceeded(QuotaExceeded e) {
        Response.ResponseBuilder answer = Response.status(429).type(Problem.MEDIA_TYPE).entity(QuotaProblem.of(e));
        if (e.retryAfterSeconds() != null) answer.header("Retry-After", e.retryAfterSeconds());
        return answer.build();
    }
}
