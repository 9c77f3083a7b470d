-- GPU-aware routing: a job says whether it needs a GPU ('gpu': full-size PRIOR, TRAIN, GENERATE) or runs
-- anywhere ('any'); a worker says whether its device is a GPU and how much device memory it has free
-- (read at every heartbeat; NULL on the CPU). A CPU worker takes a 'gpu' job only while no GPU worker
-- answers, or when tenshot.worker.cpu-takes-gpu-jobs is on (JobLeases.claim).

ALTER TABLE job ADD COLUMN needs text NOT NULL DEFAULT 'any' CHECK (needs IN ('any', 'gpu'));

ALTER TABLE worker ADD COLUMN gpu boolean NOT NULL DEFAULT false;
ALTER TABLE worker ADD COLUMN memory_free bigint;
ALTER TABLE worker ADD COLUMN memory_total bigint;
UPDATE worker SET gpu = true WHERE device LIKE 'cuda%' OR device LIKE 'gpu%';

-- Worker events carry the device, its memory, and the team of the current job, so that the events
-- stream shows a member which worker runs what without naming another team's runs (EventsResource).
CREATE OR REPLACE FUNCTION worker_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenshot_progress', jsonb_build_object(
        'type', 'worker', 'id', NEW.id, 'host', NEW.host, 'device', NEW.device, 'gpu', NEW.gpu,
        'memoryFree', NEW.memory_free, 'memoryTotal', NEW.memory_total,
        'currentJob', NEW.current_job,
        'runId', (SELECT run_id FROM job WHERE id = NEW.current_job),
        'team', (SELECT team FROM job WHERE id = NEW.current_job),
        'status', CASE WHEN NEW.stopped_at IS NOT NULL THEN 'stopped'
                       WHEN NEW.current_job IS NOT NULL THEN 'busy' ELSE 'idle' END,
        'lastHeartbeat', NEW.last_heartbeat, 'startedAt', NEW.started_at, 'stoppedAt', NEW.stopped_at)::text);
    RETURN NULL;
END $$;
