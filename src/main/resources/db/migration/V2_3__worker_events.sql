-- Workers announce themselves on the same channel as jobs (registration, current job, heartbeat,
-- stop), marked "type": "worker", so the workers panel follows them live.
CREATE FUNCTION worker_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenshot_progress', jsonb_build_object(
        'type', 'worker', 'id', NEW.id, 'host', NEW.host, 'device', NEW.device,
        'currentJob', NEW.current_job,
        'runId', (SELECT run_id FROM job WHERE id = NEW.current_job),
        'status', CASE WHEN NEW.stopped_at IS NOT NULL THEN 'stopped'
                       WHEN NEW.current_job IS NOT NULL THEN 'busy' ELSE 'idle' END,
        'lastHeartbeat', NEW.last_heartbeat, 'startedAt', NEW.started_at, 'stoppedAt', NEW.stopped_at)::text);
    RETURN NULL;
END $$;

CREATE TRIGGER worker_notify AFTER INSERT OR UPDATE ON worker FOR EACH ROW EXECUTE FUNCTION worker_notify();
