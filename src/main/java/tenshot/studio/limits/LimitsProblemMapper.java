package tenshot.studio.limits;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tenshot.studio.api.Problem;

/** The problem+json answers of limits: a rate limit (429 with Retry-After), JSON past the parser's limits (400). */
public class LimitsProblemMapper {

    @ServerExceptionMapper
    public Response rateLimited(RateLimited e) {
        return Response.status(429).type(Problem.MEDIA_TYPE).header("Retry-After", e.retryAfterSeconds())
                .entity(Problem.of(429, e.title(), e.getMessage(), e.limit())).build();
    }

    /** Jackson's REST reader wraps most parse errors as 400s but lets this one through (an over-long number). */
    @ServerExceptionMapper
    public Response jsonPastItsLimits(StreamConstraintsException e) {
        return Problem.of(400, "Bad Request", "the JSON body cannot be read: " + e.getOriginalMessage(), "body").toResponse();
    }
}
