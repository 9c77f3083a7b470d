package tenshot.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;

/**
 * The step listener a handler gets: stores progress at most every {@code progressInterval} (and at
 * the first and last step of every phase), stores preview images at most every
 * {@code previewInterval}, and is where a cancelled job stops. Storing progress announces it
 * (the job table's trigger sends NOTIFY tenshot_progress).
 */
final class ProgressReporter implements StepListener {

    private static final Logger LOG = Logger.getLogger(ProgressReporter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Worker worker;
    private final RunningJob job;
    private final long progressNanos;
    private final long previewNanos;
    private String lastPhase;
    private long lastWrite = Long.MIN_VALUE / 2;
    private long lastPreview = Long.MIN_VALUE / 2;
    private int previews;

    ProgressReporter(Worker worker, RunningJob job, WorkerSettings settings) {
        this.worker = worker;
        this.job = job;
        this.progressNanos = settings.progressInterval().toNanos();
        this.previewNanos = settings.previewInterval().toNanos();
    }

    @Override
    public void onStep(StepReport report) {
        job.checkStop(worker);
        long now = System.nanoTime();
        boolean edge = !Objects.equals(report.phase(), lastPhase) || report.step() <= 1 || report.step() >= report.total();
        if (report.preview() != null && (edge || now - lastPreview >= previewNanos)) {
            storePreview(report);
            lastPreview = now;
        }
        if (edge || now - lastWrite >= progressNanos) {
            lastPhase = report.phase();
            lastWrite = now;
            try {
                job.apply(worker.leases().progress(job.jobId(), worker.id(), json(report)).await().atMost(Worker.DB_TIMEOUT));
            } catch (RuntimeException e) {
                // a missed progress report is not worth failing the job; the heartbeat guards the lease
                LOG.warnf("worker %s could not store progress of job %d: %s", worker.id(), job.jobId(), e.toString());
            }
            job.checkStop(worker);
        }
    }

    private void storePreview(StepReport report) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(report.preview(), "png", png);
            worker.leases().preview(job.jobId(), worker.id(), png.toByteArray()).await().atMost(Worker.DB_TIMEOUT);
            previews++;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("worker %s could not store the preview of job %d: %s", worker.id(), job.jobId(), e.toString());
        }
    }

    private String json(StepReport r) {
        ObjectNode p = JSON.createObjectNode();
        String phase = r.phase() == null ? "" : r.phase();
        p.put("phase", phase.length() > 64 ? phase.substring(0, 64) : phase);
        p.put("step", r.step());
        p.put("total", r.total());
        if (Double.isFinite(r.loss())) p.put("loss", r.loss());
        if (Double.isFinite(r.learningRate())) p.put("learningRate", r.learningRate());
        if (Double.isFinite(r.secondsPerStep())) {
            p.put("secondsPerStep", r.secondsPerStep());
            p.put("etaSeconds", r.etaSeconds());
        }
        if (previews > 0) p.put("previews", previews);
        p.put("updatedAt", Instant.now().toString());
        return p.toString();
    }
}
