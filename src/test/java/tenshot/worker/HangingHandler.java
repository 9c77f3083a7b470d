package tenshot.worker;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tenshot.diffusion.StepReport;

/**
 * Test job HANG: reports one step, then, on its first {@code hangs} attempts, blocks like a hung engine
 * (no more steps, deaf to interrupts) until {@link #release()} or a minute passes; later attempts finish.
 */
@ApplicationScoped
public class HangingHandler implements JobHandler {

    private static volatile CountDownLatch released = new CountDownLatch(1);

    public static void reset() {
        released.countDown();
        released = new CountDownLatch(1);
    }

    public static void release() {
        released.countDown();
    }

    @Override
    public String kind() {
        return "HANG";
    }

    @Override
    public Object run(JobContext ctx) {
        ctx.progress().onStep(new StepReport("hanging", 1, 2, Double.NaN, Double.NaN, Double.NaN, null));
        if (ctx.attempt() <= ctx.payload().path("hangs").asInt(1)) {
            CountDownLatch latch = released;
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (latch.getCount() > 0 && System.nanoTime() < end) {
                try {
                    latch.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    // a hung engine does not answer interrupts either
                }
            }
        }
        ctx.progress().onStep(new StepReport("hanging", 2, 2, Double.NaN, Double.NaN, Double.NaN, null));
        return null;
    }
}
