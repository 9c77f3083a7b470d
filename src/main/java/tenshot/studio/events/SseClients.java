package tenshot.studio.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;

/** How many event streams this process serves right now ({@code tenshot_sse_clients}, 0 from startup on). */
@Startup
@ApplicationScoped
public class SseClients {

    private final AtomicInteger open = new AtomicInteger();

    @Inject
    public SseClients(MeterRegistry registry) {
        Gauge.builder("tenshot.sse.clients", open, AtomicInteger::get)
                .description("Open /api/events streams on this process").register(registry);
    }

    void opened() {
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }
}
