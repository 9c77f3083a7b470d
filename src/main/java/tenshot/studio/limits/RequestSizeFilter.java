package tenshot.studio.limits;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;
import tenshot.studio.api.Problem;

/**
 * Refuses request bodies larger than their endpoint takes ({@link BodyKind}), before anything reads
 * them: a Content-Length over the limit answers 413 at once; a body without one (chunked) is read here
 * up to the limit and handed on in memory, or answered 413 as soon as it passes the limit. Uploads keep
 * the global {@code quarkus.http.limits.max-body-size}, which Quarkus enforces itself.
 */
public class RequestSizeFilter {

    /**
     * How much of a refused body is still read and dropped so the client sees the 413 instead of a
     * reset connection (closing a socket with unread data resets it); past this the connection is cut.
     */
    static final long DRAIN_BYTES = 16L * 1024 * 1024;

    @Inject
    LimitsConfig config;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION - 100)
    public Uni<Response> limit(ResteasyReactiveContainerRequestContext request) {
        ResteasyReactiveRequestContext context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
        BodyKind kind = BodyKind.of(context.getTarget() == null ? null : context.getTarget().getConsumes());
        if (kind == BodyKind.UPLOAD) return null;
        long limit = (kind == BodyKind.JSON ? config.jsonBody() : config.formBody()).asLongValue();
        RoutingContext routing = context.serverRequest().unwrap(RoutingContext.class);
        HttpServerRequest http = routing.request();
        String length = http.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                return Uni.createFrom().item(problem(400, "Bad Request", "Content-Length is not a number: " + length));
            }
            if (declared <= limit) return null;
            drainThenClose(http, declared > DRAIN_BYTES);
            return Uni.createFrom().item(tooLarge(kind, "is " + declared + " bytes", limit));
        }
        if (http.isEnded() || (http.version() != HttpVersion.HTTP_2 && http.getHeader(HttpHeaderNames.TRANSFER_ENCODING) == null)) {
            return null; // no body
        }
        return readBounded(context, routing, kind, limit);
    }

    /** Reads a body of unknown length up to {@code limit}; null (go on) when it fits, else the 413. */
    private Uni<Response> readBounded(ResteasyReactiveRequestContext context, RoutingContext routing, BodyKind kind, long limit) {
        HttpServerRequest http = routing.request();
        return Uni.createFrom().emitter(emitter -> {
            Buffer body = Buffer.buffer();
            http.exceptionHandler(emitter::fail);
            http.handler(chunk -> {
                if (body.length() + (long) chunk.length() > limit) {
                    drainThenClose(http, false);
                    emitter.complete(tooLarge(kind, "passed the limit while it was read (no Content-Length)", limit));
                    return;
                }
                body.appendBuffer(chunk);
            });
            http.endHandler(v -> {
                routing.setBody(body);
                context.setInputStream(new ByteArrayInputStream(body.getBytes()));
                emitter.complete(null);
            });
            if ("100-continue".equalsIgnoreCase(http.getHeader(HttpHeaderNames.EXPECT))) http.response().writeContinue();
            http.resume();
        });
    }

    /** After the 413 is sent, drops what is left of the body (or cuts the connection at once) and closes. */
    private static void drainThenClose(HttpServerRequest http, boolean cutNow) {
        http.response().endHandler(v -> {
            if (cutNow || http.isEnded()) close(http);
        });
        long[] dropped = {0};
        http.handler(chunk -> {
            dropped[0] += chunk.length();
            if (dropped[0] > DRAIN_BYTES) close(http);
        });
        http.endHandler(v -> {
            if (http.response().ended()) close(http);
        });
        http.resume();
    }

    private static void close(HttpServerRequest http) {
        if (http.version() == HttpVersion.HTTP_2) {
            http.response().reset();
        } else {
            http.connection().close();
        }
    }

    private Response tooLarge(BodyKind kind, String what, long limit) {
        String setting = kind == BodyKind.JSON ? "tenshot.limits.json-body" : "tenshot.limits.form-body";
        String endpoint = kind == BodyKind.JSON ? "JSON endpoints" : "form and other non-upload endpoints";
        return Response.fromResponse(problem(413, "Payload Too Large", "the request body " + what + "; the limit for "
                + endpoint + " is " + limit + " bytes (" + setting + ")")).header(HttpHeaderNames.CONNECTION.toString(), "close").build();
    }

    private static Response problem(int status, String title, String detail) {
        return Problem.of(status, title, detail, "body").toResponse();
    }
}
