package tenshot.studio.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tenshot.queue.QueueForecast;

/** A run's summary line from its jobs and the queue forecast, as the runs page words it. */
class RunSummariesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode job(long id, String kind, String state, String progress) {
        try {
            ObjectNode job = (ObjectNode) JSON.readTree("{\"id\":" + id + ",\"kind\":\"" + kind + "\",\"runId\":5,\"team\":\"t\","
                    + "\"state\":\"" + state + "\",\"cancelRequested\":false,\"version\":" + (100 + id) + ",\"error\":null}");
            job.set("progress", progress == null ? null : JSON.readTree(progress));
            return job;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static QueueForecast forecast(Map<Long, QueueForecast.Estimate> byJob) {
        return new QueueForecast(List.copyOf(byJob.keySet()), byJob, Map.of("TRAIN", 600.0), 1);
    }

    @Test
    void aWaitingRunCarriesItsNextJobsPlaceAndWait() {
        // TRAIN is 3rd in the queue, GENERATE (after it) 7th: the run is as far as its first job
        List<ObjectNode> jobs = List.of(job(1, "TRAIN", "queued", null), job(2, "GENERATE", "queued", null));
        ObjectNode s = RunSummaries.summary(5, jobs, forecast(Map.of(
                1L, new QueueForecast.Estimate(3, 719.6, 1400.0), 2L, new QueueForecast.Estimate(7, 1400.0, 1500.0))));
        assertEquals("queued", s.get("status").asText());
        assertEquals(3, s.get("position").asInt());
        assertEquals(720, s.get("startsInSeconds").asLong());
    }

    @Test
    void aWaitingRunWithoutKnownDurationsHasAPlaceButNoWait() {
        ObjectNode s = RunSummaries.summary(5, List.of(job(1, "TRAIN", "queued", null)),
                forecast(Map.of(1L, new QueueForecast.Estimate(1, null, null))));
        assertEquals(1, s.get("position").asInt());
        assertFalse(s.has("startsInSeconds"));
    }

    @Test
    void aRunningRunCarriesProgressAndItsPreviewCountNotAPlace() {
        List<ObjectNode> jobs = List.of(
                job(1, "TRAIN", "running", "{\"phase\":\"training\",\"step\":412,\"total\":800,\"loss\":0.12,"
                        + "\"secondsPerStep\":1.9,\"etaSeconds\":737,\"previews\":4}"),
                job(2, "GENERATE", "queued", null));
        ObjectNode s = RunSummaries.summary(5, jobs, forecast(Map.of(2L, new QueueForecast.Estimate(1, 737.0, 800.0))));
        assertEquals("running", s.get("status").asText());
        assertEquals("training", s.get("phase").asText());
        assertEquals(412, s.get("step").asInt());
        assertEquals(800, s.get("total").asInt());
        assertEquals(1.9, s.get("secondsPerStep").asDouble());
        assertEquals(737, s.get("etaSeconds").asInt());
        assertEquals(4, s.get("previews").asInt());
        assertEquals("/api/jobs/1/preview", s.get("previewUrl").asText());
        assertFalse(s.has("position"));
    }

    @Test
    void aTrainingBoardCarriesEveryStylesStepAndLossBesideTheWholeRuns() {
        String parts = "[{\"name\":\"00\",\"step\":4,\"total\":10,\"loss\":0.25,\"previews\":1},"
                + "{\"name\":\"01\",\"step\":4,\"total\":10,\"loss\":0.5}]";
        ObjectNode s = RunSummaries.summary(5, List.of(job(1, "TRAIN", "running",
                "{\"phase\":\"training\",\"step\":8,\"total\":20,\"loss\":0.375,\"etaSeconds\":12,\"parts\":" + parts + "}")),
                forecast(Map.of()));
        assertEquals(8, s.get("step").asInt());
        assertEquals(20, s.get("total").asInt());
        assertEquals(12, s.get("etaSeconds").asInt());
        assertEquals(List.of("00", "01"), s.get("parts").findValuesAsText("name"));
        assertEquals(0.5, s.get("parts").get(1).get("loss").asDouble());
        assertEquals(1, s.get("parts").get(0).get("previews").asInt());
        // once training is over the parts are no longer current
        ObjectNode generating = RunSummaries.summary(5, List.of(job(1, "TRAIN", "succeeded",
                "{\"phase\":\"training\",\"step\":20,\"total\":20,\"parts\":" + parts + "}"),
                job(2, "GENERATE", "running", "{\"phase\":\"generating\",\"step\":3,\"total\":50}")), forecast(Map.of()));
        assertFalse(generating.has("parts"));
    }

    @Test
    void aFailedRunSaysWhichJobFailedAndWhy() {
        ObjectNode failed = job(1, "TRAIN", "failed", null);
        failed.put("error", "training diverged: loss is NaN at step 3");
        ObjectNode s = RunSummaries.summary(5, List.of(failed, job(2, "GENERATE", "cancelled", null)), forecast(Map.of()));
        assertEquals("failed", s.get("status").asText());
        assertEquals("train: training diverged: loss is NaN at step 3", s.get("reason").asText());
    }

    @Test
    void onlyARunWithNothingRunningOrFailedAndSomethingQueuedNeedsTheQueueForecast() {
        assertTrue(RunSummaries.waiting(List.of(job(1, "TRAIN", "succeeded", null), job(2, "GENERATE", "queued", null))));
        assertFalse(RunSummaries.waiting(List.of(job(1, "TRAIN", "running", null), job(2, "GENERATE", "queued", null))));
        assertFalse(RunSummaries.waiting(List.of(job(1, "TRAIN", "failed", null), job(2, "GENERATE", "queued", null))));
        assertFalse(RunSummaries.waiting(List.of(job(1, "TRAIN", "succeeded", null))));
    }

    @Test
    void aSummaryIsResentWhenItsJobsChangedOrItsPlaceMoved() {
        ObjectNode sent = RunSummaries.summary(5, List.of(job(1, "TRAIN", "queued", null)),
                forecast(Map.of(1L, new QueueForecast.Estimate(3, null, null))));
        ObjectNode same = sent.deepCopy();
        ObjectNode moved = sent.deepCopy().put("position", 2);
        ObjectNode older = sent.deepCopy().put("version", sent.get("version").asLong() - 1).put("position", 1);
        ObjectNode newer = sent.deepCopy().put("version", sent.get("version").asLong() + 1);
        assertTrue(EventsResource.newer(sent, null));
        assertFalse(EventsResource.newer(same, sent));
        assertTrue(EventsResource.newer(moved, sent));
        assertFalse(EventsResource.newer(older, sent));
        assertTrue(EventsResource.newer(newer, sent));
    }
}
