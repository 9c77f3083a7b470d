package tenshot.worker;

import jakarta.enterprise.context.ApplicationScoped;

/** Test job FLAKY: fails its first {@code failures} attempts with "boom N", then succeeds; {@code bad} fails for good. */
@ApplicationScoped
public class FlakyHandler implements JobHandler {

    @Override
    public String kind() {
        return "FLAKY";
    }

    @Override
    public Object run(JobContext ctx) {
        if (ctx.payload().path("bad").asBoolean(false)) {
            throw new PermanentJobFailure("payload field 'bad' is set");
        }
        int failures = ctx.payload().path("failures").asInt(0);
        if (ctx.attempt() <= failures) throw new IllegalStateException("boom " + ctx.attempt());
        return null;
    }
}
