package tenshot.studio.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.nio.file.NoSuchFileException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import tenshot.store.DatabaseUnavailable;
import tenshot.studio.upload.UploadRejected;

/** The one place where exceptions become HTTP answers: every error is {@code application/problem+json}. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final int RETRY_AFTER_SECONDS = 5;

    @ServerExceptionMapper
    public Response rejected(UploadRejected e) {
        String detail = e.getMessage();
        return answer(Problem.of(e.status(), "Upload rejected", detail, e.subject()));
    }

    @ServerExceptionMapper
    public Response apiError(ApiException e) {
        return answer(Problem.of(e.status(), e.title(), e.getMessage(), e.subject()));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String detail = e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException json
                ? "the JSON body cannot be read: " + json.getOriginalMessage() : e.getMessage();
        return answer(Problem.of(status, known == null ? "Error" : known.getReasonPhrase(), detail, null));
    }

    @ServerExceptionMapper
    public Response badArgument(IllegalArgumentException e) {
        return answer(Problem.of(400, "Bad Request", e.getMessage(), null));
    }

    @ServerExceptionMapper
    public Response missingFile(NoSuchFileException e) {
        return answer(Problem.of(404, "Not Found", "no stored artifact " + e.getMessage(), null));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (DatabaseUnavailable.isCause(e)) {
            LOG.warnf("request refused, the database is unreachable: %s", e.getMessage());
            return Response.fromResponse(answer(Problem.of(503, "Service Unavailable",
                    "the database is unreachable; try again shortly", null))).header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        LOG.error("request failed", e);
        return answer(Problem.of(500, "Internal Server Error", e.getClass().getSimpleName() + ": " + e.getMessage(), null));
    }

    private static Response answer(Problem problem) {
        return problem.toResponse();
    }

}
