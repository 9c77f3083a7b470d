package tenshot.worker;

import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import tenshot.diffusion.StepReport;

/**
 * Test job COUNT: counts {@code steps} steps of {@code stepMillis} each, reports every step, saves a
 * checkpoint after each, and resumes from the checkpoint. Records who ran what so tests can check
 * that no job ran twice at once and that a resumed job did not start over.
 */
@ApplicationScoped
public class CountingHandler implements JobHandler {

    public static final Map<Long, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    public static final Map<Long, AtomicInteger> STEPS = new ConcurrentHashMap<>();
    public static final Map<Long, List<String>> STARTS = new ConcurrentHashMap<>();
    public static final AtomicBoolean OVERLAP = new AtomicBoolean();

    public static void reset() {
        RUNNING.clear();
        STEPS.clear();
        STARTS.clear();
        OVERLAP.set(false);
    }

    @Override
    public String kind() {
        return "COUNT";
    }

    @Override
    public Object run(JobContext ctx) throws Exception {
        int steps = ctx.payload().path("steps").asInt(3);
        long stepMillis = ctx.payload().path("stepMillis").asLong(10);
        boolean preview = ctx.payload().path("preview").asBoolean(false);
        int from = ctx.checkpoint().map(c -> Integer.parseInt(c.substring("step:".length()))).orElse(0);
        STARTS.computeIfAbsent(ctx.jobId(), id -> new CopyOnWriteArrayList<>())
                .add(ctx.workerId() + "@" + ctx.attempt() + "from" + from);
        if (RUNNING.computeIfAbsent(ctx.jobId(), id -> new AtomicInteger()).incrementAndGet() > 1) OVERLAP.set(true);
        try {
            for (int step = from + 1; step <= steps; step++) {
                Thread.sleep(stepMillis);
                STEPS.computeIfAbsent(ctx.jobId(), id -> new AtomicInteger()).incrementAndGet();
                BufferedImage image = null;
                if (preview) {
                    image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
                    image.setRGB(0, 0, 0xff0000 + step);
                }
                ctx.progress().onStep(new StepReport("counting", step, steps, 1.0 / step, Double.NaN,
                        stepMillis / 1000.0, image));
                ctx.saveCheckpoint("step:" + step);
            }
            return Map.of("resumedFrom", from, "worker", ctx.workerId());
        } finally {
            RUNNING.get(ctx.jobId()).decrementAndGet();
        }
    }
}
