package tenshot.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.jboss.logging.Logger;
import tenshot.diffusion.StepReport;

/**
 * The step listener a handler gets: stores progress at most every {@code progressInterval} (and at
 * the first and last step of every phase), stores preview images at most every
 * {@code previewInterval} (each part's on its own), and is where a cancelled job stops. Storing progress
 * announces it (the job table's trigger sends NOTIFY tenshot_progress, whose payload must stay under
 * 8000 bytes: a board's 64 parts of 32-character names fit).
 */
final class ProgressReporter implements JobProgress {

    /** Longest part name: names are the keys of the parts' previews. */
    static final int PART_NAME_MAX = 64;

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
    private final Map<String, Long> lastPartPreview = new HashMap<>();
    private final Map<String, Integer> partPreviews = new HashMap<>();

    ProgressReporter(Worker worker, RunningJob job, WorkerSettings settings) {
        this.worker = worker;
        this.job = job;
        this.progressNanos = settings.progressInterval().toNanos();
        this.previewNanos = settings.previewInterval().toNanos();
    }

    @Override
    public void onStep(StepReport report) {
        report(report, null);
    }

    @Override
    public void onStep(StepReport whole, List<Part> parts) {
        for (Part part : parts) {
            if (part.name() == null || part.name().isBlank() || part.name().length() > PART_NAME_MAX) {
                throw new IllegalArgumentException("a progress part needs a name of 1 to " + PART_NAME_MAX + " characters, got '"
                        + part.name() + "'");
            }
        }
        report(whole, parts);
    }

    private void report(StepReport report, List<Part> parts) {
        job.checkStop(worker);
        long now = System.nanoTime();
        boolean edge = !Objects.equals(report.phase(), lastPhase) || report.step() <= 1 || report.step() >= report.total();
        if (report.preview() != null && (edge || now - lastPreview >= previewNanos)) {
            if (storePreview("", report)) previews++;
            lastPreview = now;
        }
        if (parts != null) {
            for (Part part : parts) {
                StepReport r = part.report();
                boolean partEdge = r.step() <= 1 || r.step() >= r.total();
                Long last = lastPartPreview.get(part.name());
                if (r.preview() != null && (partEdge || last == null || now - last >= previewNanos)) {
                    if (storePreview(part.name(), r)) partPreviews.merge(part.name(), 1, Integer::sum);
                    lastPartPreview.put(part.name(), now);
                }
            }
        }
        if (edge || now - lastWrite >= progressNanos) {
            lastPhase = report.phase();
            lastWrite = now;
            try {
                job.apply(worker.leases().progress(job.jobId(), worker.id(), json(report, parts)).await().atMost(Worker.DB_TIMEOUT));
            } catch (RuntimeException e) {
                // a missed progress report is not worth failing the job; the heartbeat guards the lease
                LOG.warnf("worker %s could not store progress of job %d: %s", worker.id(), job.jobId(), e.toString());
            }
            job.checkStop(worker);
        }
    }

    /** Stores a preview (of the whole job, part "", or of one part); false when it could not be stored. */
    private boolean storePreview(String part, StepReport report) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(report.preview(), "png", png);
            worker.leases().preview(job.jobId(), worker.id(), part, png.toByteArray()).await().atMost(Worker.DB_TIMEOUT);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("worker %s could not store the preview%s of job %d: %s", worker.id(), part.isEmpty() ? "" : " of part " + part,
                    job.jobId(), e.toString());
            return false;
        }
    }

    private String json(StepReport r, List<Part> parts) {
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
        if (parts != null) {
            ArrayNode list = p.putArray("parts");
            for (Part part : parts) {
                ObjectNode o = list.addObject();
                o.put("name", part.name());
                o.put("step", part.report().step());
                o.put("total", part.report().total());
                // single precision keeps a large board's NOTIFY payload small
                if (Double.isFinite(part.report().loss())) o.put("loss", (float) part.report().loss());
                int stored = partPreviews.getOrDefault(part.name(), 0);
                if (stored > 0) o.put("previews", stored);
            }
        }
        p.put("updatedAt", Instant.now().toString());
        return p.toString();
    }
}
