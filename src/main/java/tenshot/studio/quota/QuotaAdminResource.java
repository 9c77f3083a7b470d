package tenshot.studio.quota;

import jakarta.annotation.security.RolesAllowed;
import tenshot.studio.access.AccountRole;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import tenshot.store.Team;
import tenshot.studio.access.AuditLog;
import tenshot.studio.access.Caller;
import tenshot.studio.api.ApiException;

/** Organisers read every team's quotas and set a team's own limits (audited as {@code quota.change}). */
@Path("/api/organiser/quotas")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(AccountRole.ORGANISER_ROLE)
public class QuotaAdminResource {

    /** The largest limit an organiser may set; more is a typo, not a quota. */
    static final int MAX_LIMIT = 1_000_000;

    @Inject
    Caller caller;

    @Inject
    Quotas quotas;

    @Inject
    QuotaDefaults defaults;

    @Inject
    AuditLog audit;

    /** The configured defaults and every team's limits and use. */
    public record Overview(Defaults defaults, List<QuotaStatus> teams) {}

    public record Defaults(int concurrentRuns, int gpuMinutesPerDay, int submissionsPerDay) {}

    @GET
    @WithSession
    @Operation(summary = "The default limits (application.properties) and every team's limits and today's use")
    public Uni<Overview> overview() {
        return Team.<Team>list("order by name").chain(teams -> Multi.createFrom().iterable(teams)
                .onItem().transformToUniAndConcatenate(t -> quotas.status(t.id)).collect().asList())
                .map(list -> new Overview(new Defaults(defaults.concurrentRuns(), defaults.gpuMinutesPerDay(),
                        defaults.submissionsPerDay()), list));
    }

    @GET
    @Path("{team}")
    @WithSession
    @Operation(summary = "One team's limits and today's use")
    public Uni<QuotaStatus> team(@PathParam("team") String name) {
        return team(name, t -> quotas.status(t.id));
    }

    @PUT
    @Path("{team}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Set a team's own limits: {concurrentRuns, gpuMinutesPerDay, submissionsPerDay}; a missing or null field takes the default")
    public Uni<QuotaStatus> set(@PathParam("team") String name, TeamLimits.Overrides limits) {
        if (limits == null) throw ApiException.badField("body", "give {concurrentRuns, gpuMinutesPerDay, submissionsPerDay}");
        check("concurrentRuns", limits.concurrentRuns());
        check("gpuMinutesPerDay", limits.gpuMinutesPerDay());
        check("submissionsPerDay", limits.submissionsPerDay());
        return change(name, limits);
    }

    @DELETE
    @Path("{team}")
    @Operation(summary = "Remove a team's own limits: the defaults apply again")
    public Uni<QuotaStatus> reset(@PathParam("team") String name) {
        return change(name, TeamLimits.Overrides.NONE);
    }

    private Uni<QuotaStatus> change(String name, TeamLimits.Overrides limits) {
        return Panache.withTransaction(() -> team(name, t -> Panache.getSession()
                        .chain(session -> TeamQuotas.overrides(QuotaSql.of(session), t.id).chain(before ->
                                TeamQuotas.store(session, t.id, limits, caller.username()).replaceWith(before)))
                        .map(before -> new Object[] {t, before})))
                .chain(found -> {
                    Team t = (Team) found[0];
                    String detail = changes((TeamLimits.Overrides) found[1], limits);
                    return audit.record(caller, "quota.change", "team " + t.name, detail)
                            .chain(() -> Panache.withSession(() -> quotas.status(t.id)));
                });
    }

    private static <T> Uni<T> team(String name, java.util.function.Function<Team, Uni<T>> then) {
        return Team.findByName(name).chain(t -> {
            if (t == null) throw new ApiException(404, "Not Found", "no team named '" + name + "'", "team");
            return then.apply(t);
        });
    }

    private static void check(String field, Integer value) {
        if (value != null && (value < 0 || value > MAX_LIMIT)) {
            throw ApiException.badField(field, "a limit from 0 to " + MAX_LIMIT + ", or null for the default; got " + value);
        }
    }

    /** What changed, as "gpuMinutesPerDay: default -> 600; submissionsPerDay: 3 -> default". */
    static String changes(TeamLimits.Overrides before, TeamLimits.Overrides after) {
        List<String> out = new ArrayList<>();
        change(out, "concurrentRuns", before.concurrentRuns(), after.concurrentRuns());
        change(out, "gpuMinutesPerDay", before.gpuMinutesPerDay(), after.gpuMinutesPerDay());
        change(out, "submissionsPerDay", before.submissionsPerDay(), after.submissionsPerDay());
        return out.isEmpty() ? "unchanged" : String.join("; ", out);
    }

    private static void change(List<String> out, String field, Integer before, Integer after) {
        if (java.util.Objects.equals(before, after)) return;
        out.add(field + ": " + (before == null ? "default" : before) + " -> " + (after == null ? "default" : after));
    }
}
