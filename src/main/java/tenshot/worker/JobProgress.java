package tenshot.worker;

import java.util.List;
import tenshot.diffusion.StepListener;
import tenshot.diffusion.StepReport;

/**
 * Where a handler reports its steps ({@link JobContext#progress()}). Work made of named parts that step
 * together (a board run's styles) reports the whole and every part at once, so a page can follow each
 * part: the stored progress then carries a {@code parts} array ({@code name}, {@code step}, {@code total},
 * {@code loss}, {@code previews}) beside the whole's fields, and each part's latest preview is kept under
 * its name ({@code GET /api/jobs/{id}/preview?part=name}).
 */
public interface JobProgress extends StepListener {

    /** One part's latest report; its preview is non-null only on the report that made one. */
    record Part(String name, StepReport report) {}

    /**
     * Reports the whole and each part's latest state (in a stable order). Throttled like {@link #onStep(StepReport)};
     * a part's preview is stored at most every preview interval of that part (and always at its first and last step).
     */
    void onStep(StepReport whole, List<Part> parts);
}
