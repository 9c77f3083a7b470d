package tenshot.studio.access;

import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.WithFormRead;
import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.core.multipart.FormData;
import org.jboss.resteasy.reactive.server.multipart.FormValue;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * The CSRF check of plain HTML forms (pages work without JavaScript, so they cannot send a header): the
 * {@code _csrf} field must hold the token {@link AccessFilter} expects. Runs once the form is read, which
 * is after the caller was signed in and authorized.
 */
public class CsrfFormFilter {

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION + 100)
    @WithFormRead
    public Response check(ResteasyReactiveContainerRequestContext request) {
        Object expected = request.getProperty(AccessFilter.EXPECTED_FORM_TOKEN);
        if (expected == null) return null;
        FormData form = ((ResteasyReactiveRequestContext) request.getServerRequestContext()).getFormData();
        FormValue field = form == null ? null : form.getFirst(AccessFilter.CSRF_FIELD);
        String sent = field == null || field.isFileItem() ? null : field.getValue();
        return Secrets.same(sent, expected.toString()) ? null : AccessFilter.csrfRefused();
    }
}
