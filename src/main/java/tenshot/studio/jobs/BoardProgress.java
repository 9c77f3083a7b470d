package tenshot.studio.jobs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tenshot.diffusion.StepReport;
import tenshot.diffusion.train.DreamBoothTrainer;
import tenshot.worker.JobProgress;

/**
 * Folds a board's per-style training reports into one report per UNet pass for the job's progress:
 * step and total count style-steps over the whole board (so the ETA covers every style), the loss is
 * the mean of the styles' latest losses. Each style's own latest report goes with it as a part named by
 * its style id (with the preview the style made in that pass, if any), so a page can draw every style's
 * loss curve and preview. It forwards only once every style of the pass has reported, so a cancellation
 * raised by the job's listener stops the trainer between passes, never with some styles stepped and others not.
 */
final class BoardProgress implements DreamBoothTrainer.BoardListener {

    private final JobProgress target;
    private final List<String> styleIds;
    private final StepReport[] latest;
    private final int[] steps;
    private final int[] totals;
    private final double[] losses;
    private final boolean[] reported;
    private int inPass;

    BoardProgress(List<String> styleIds, JobProgress target) {
        int styles = styleIds.size();
        this.target = target;
        this.styleIds = List.copyOf(styleIds);
        this.latest = new StepReport[styles];
        this.steps = new int[styles];
        this.totals = new int[styles];
        this.losses = new double[styles];
        this.reported = new boolean[styles];
        Arrays.fill(totals, Integer.MAX_VALUE);
        Arrays.fill(losses, Double.NaN);
    }

    @Override
    public void onStep(int style, StepReport report) {
        if (!"training".equals(report.phase())) {
            // phases before training (class images) report the same thing for every style
            if (style == 0) target.onStep(report);
            return;
        }
        boolean endsPass = style == lastActive();
        steps[style] = report.step();
        totals[style] = report.total();
        losses[style] = report.loss();
        reported[style] = true;
        latest[style] = report;
        inPass++;
        if (!endsPass) return;
        int done = 0;
        int total = 0;
        double lossSum = 0;
        int lossCount = 0;
        for (int s = 0; s < steps.length; s++) {
            done += steps[s];
            total += reported[s] ? totals[s] : report.total();
            if (Double.isFinite(losses[s])) {
                lossSum += losses[s];
                lossCount++;
            }
        }
        // the pass's duration is shared by the styles it stepped
        double secondsPerStyleStep = report.secondsPerStep() / inPass;
        inPass = 0;
        List<JobProgress.Part> parts = new ArrayList<>();
        for (int s = 0; s < latest.length; s++) {
            if (latest[s] == null) continue;
            parts.add(new JobProgress.Part(styleIds.get(s), latest[s]));
            // a preview is news once; later passes repeat the style's step and loss only
            if (latest[s].preview() != null) latest[s] = withoutPreview(latest[s]);
        }
        target.onStep(new StepReport("training", done, total, lossCount == 0 ? Double.NaN : lossSum / lossCount,
                report.learningRate(), secondsPerStyleStep, null), parts);
    }

    private static StepReport withoutPreview(StepReport r) {
        return new StepReport(r.phase(), r.step(), r.total(), r.loss(), r.learningRate(), r.secondsPerStep(), null);
    }

    /** The last style still training before this pass's reports: the one whose report ends the pass. */
    private int lastActive() {
        for (int s = steps.length - 1; s >= 0; s--) if (!reported[s] || steps[s] < totals[s]) return s;
        return steps.length - 1;
    }
}
