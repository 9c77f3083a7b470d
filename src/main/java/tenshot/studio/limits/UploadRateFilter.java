package tenshot.studio.limits;

import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;
import tenshot.studio.access.Caller;

/**
 * Applies the {@code upload} rate limit to every upload endpoint (those that consume multipart/form-data,
 * see {@link BodyKind}), per signed-in account, else per client address. Runs after the caller is known
 * and before the upload is read.
 */
public class UploadRateFilter {

    @Inject
    RateLimits limits;

    @Inject
    Caller caller;

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 50)
    public void limit(ResteasyReactiveContainerRequestContext request) {
        ResteasyReactiveRequestContext context = (ResteasyReactiveRequestContext) request.getServerRequestContext();
        if (context.getTarget() == null || BodyKind.of(context.getTarget().getConsumes()) != BodyKind.UPLOAD) return;
        Long account = caller.accountId();
        String key = account != null ? "account:" + account : "address:" + caller.remoteAddress();
        limits.check(RateLimits.UPLOAD, key);
    }
}
