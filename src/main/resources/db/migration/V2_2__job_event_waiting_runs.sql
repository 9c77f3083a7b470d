-- A job shared between runs (prior images found through a dedupe key) belongs to the run that
-- enqueued it first; its events also name the other runs whose jobs wait for it, so every run page
-- that shows it hears about it.
CREATE OR REPLACE FUNCTION job_event_json(j job) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', j.id, 'kind', j.kind, 'runId', j.run_id, 'team', j.team, 'state', j.state,
        'attempts', j.attempts, 'maxAttempts', j.max_attempts,
        'cancelRequested', j.cancel_requested, 'progress', j.progress,
        'error', left(j.error, 400), 'version', j.version,
        'createdAt', j.created_at, 'startedAt', j.started_at, 'finishedAt', j.finished_at,
        'waitingRuns', (SELECT coalesce(jsonb_agg(DISTINCT c.run_id), '[]'::jsonb)
                          FROM job_dependency d JOIN job c ON c.id = d.job_id
                         WHERE d.depends_on = j.id AND c.run_id IS NOT NULL
                           AND c.run_id IS DISTINCT FROM j.run_id))
$$;
