package tenshot.studio.quota;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The problem+json body of a refused request: the RFC 9457 fields, then which limit was hit
 * ({@code limit}), its {@code value}, the team's current use ({@code used}, in {@code unit}s), and
 * when it resets ({@code resetsAt}, null for concurrent runs; {@code resetsWhen} says it in words).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuotaProblem(String type, String title, int status, String detail, String subject, String limit,
                           int value, Number used, String unit,
                           @JsonInclude(JsonInclude.Include.ALWAYS) Instant resetsAt, String resetsWhen,
                           List<Long> activeRuns) {

    public static final String TYPE = "urn:tenshot:problem:quota-exceeded";

    static QuotaProblem of(QuotaExceeded e) {
        return new QuotaProblem(TYPE, e.title(), e.status(), e.getMessage(), e.subject(), e.limit().key(), e.value(),
                e.used(), e.limit().unit(), e.resetsAt(), e.resetsWhen(), e.activeRuns());
    }
}
