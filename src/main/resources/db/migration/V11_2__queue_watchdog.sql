-- A harder queue. progress_at: when the job's worker last reported progress (or claimed it); a running
-- job whose progress has not moved for tenshot.queue.stall-timeout loses its lease (attempt outcome
-- 'stalled'). failure_kind: why a failed attempt failed, as data rather than stack-trace text: 'input'
-- (the handler found the team's input cannot work; quotas charge it) or 'internal' (anything else).

ALTER TABLE job ADD COLUMN progress_at timestamptz;
UPDATE job SET progress_at = now() WHERE state = 'running';
CREATE INDEX job_running_progress_idx ON job (progress_at) WHERE state = 'running';

ALTER TABLE job_attempt DROP CONSTRAINT job_attempt_outcome_check;
ALTER TABLE job_attempt ADD CONSTRAINT job_attempt_outcome_check
    CHECK (outcome IN ('succeeded', 'failed', 'cancelled', 'lease_expired', 'stalled', 'released'));

ALTER TABLE job_attempt ADD COLUMN failure_kind text CHECK (failure_kind IN ('input', 'internal'));
UPDATE job_attempt SET failure_kind = CASE WHEN detail LIKE 'tenshot.worker.PermanentJobFailure%' THEN 'input'
                                           ELSE 'internal' END
 WHERE outcome = 'failed';
ALTER TABLE job_attempt ADD CONSTRAINT job_attempt_failed_has_kind
    CHECK ((outcome = 'failed') = (failure_kind IS NOT NULL) OR outcome IS NULL);
