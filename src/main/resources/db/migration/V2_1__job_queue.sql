-- Durable job queue: jobs, their dependencies, every attempt with its outcome, per-team claim
-- times for round-robin fairness, registered workers, and the latest preview image of each job.
-- Every visible change of a job gets a new version from job_version (a BEFORE trigger) and is
-- announced with NOTIFY tenshot_progress (an AFTER trigger); the version is the SSE event id.

CREATE SEQUENCE job_version;

CREATE TABLE job (
    id               bigserial PRIMARY KEY,
    kind             text        NOT NULL CHECK (kind <> ''),
    run_id           bigint,
    team             text        NOT NULL DEFAULT 'default',
    priority         integer     NOT NULL DEFAULT 0,
    payload          jsonb       NOT NULL DEFAULT '{}',
    dedupe_key       text UNIQUE,
    state            text        NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    pending_deps     integer     NOT NULL DEFAULT 0,
    attempts         integer     NOT NULL DEFAULT 0,
    max_attempts     integer     NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    not_before       timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    lease_expires_at timestamptz,
    cancel_requested boolean     NOT NULL DEFAULT false,
    cancel_reason    text,
    progress         jsonb,
    checkpoint       text,
    result           jsonb,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    version          bigint      NOT NULL DEFAULT nextval('job_version')
);

CREATE INDEX job_ready_idx ON job (priority DESC, id) WHERE state = 'queued';
CREATE INDEX job_running_lease_idx ON job (lease_expires_at) WHERE state = 'running';
CREATE INDEX job_run_idx ON job (run_id);
CREATE INDEX job_team_idx ON job (team, version);
CREATE INDEX job_version_idx ON job (version);

CREATE TABLE job_dependency (
    job_id     bigint NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    depends_on bigint NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    PRIMARY KEY (job_id, depends_on),
    CHECK (job_id <> depends_on)
);
CREATE INDEX job_dependency_depends_on_idx ON job_dependency (depends_on);

CREATE TABLE job_attempt (
    job_id      bigint      NOT NULL REFERENCES job (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    worker_id   text        NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text CHECK (outcome IN ('succeeded', 'failed', 'cancelled', 'lease_expired', 'released')),
    reason      text,
    detail      text,
    PRIMARY KEY (job_id, attempt)
);
CREATE INDEX job_attempt_finished_idx ON job_attempt (outcome, finished_at DESC);

CREATE TABLE team_claim (
    team            text PRIMARY KEY,
    last_claimed_at timestamptz NOT NULL
);

CREATE TABLE worker (
    id             text PRIMARY KEY,
    host           text        NOT NULL,
    device         text        NOT NULL,
    kinds          text[]      NOT NULL DEFAULT '{}',
    current_job    bigint,
    started_at     timestamptz NOT NULL DEFAULT now(),
    last_heartbeat timestamptz NOT NULL DEFAULT now(),
    stopped_at     timestamptz
);

CREATE TABLE job_preview (
    job_id     bigint PRIMARY KEY REFERENCES job (id) ON DELETE CASCADE,
    png        bytea       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The compact form of a job that NOTIFY carries and the SSE stream sends (never images, bounded
-- text), shared by the trigger and the snapshot queries so both look the same.
CREATE FUNCTION job_event_json(j job) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', j.id, 'kind', j.kind, 'runId', j.run_id, 'team', j.team, 'state', j.state,
        'attempts', j.attempts, 'maxAttempts', j.max_attempts,
        'cancelRequested', j.cancel_requested, 'progress', j.progress,
        'error', left(j.error, 400), 'version', j.version,
        'createdAt', j.created_at, 'startedAt', j.started_at, 'finishedAt', j.finished_at)
$$;

CREATE FUNCTION job_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- lease renewals are not news: only visible fields get a new version
    IF (NEW.state, NEW.progress, NEW.attempts, NEW.cancel_requested, NEW.error, NEW.result,
        NEW.pending_deps, NEW.lease_owner, NEW.not_before, NEW.priority)
       IS DISTINCT FROM
       (OLD.state, OLD.progress, OLD.attempts, OLD.cancel_requested, OLD.error, OLD.result,
        OLD.pending_deps, OLD.lease_owner, OLD.not_before, OLD.priority) THEN
        NEW.version := nextval('job_version');
    END IF;
    RETURN NEW;
END $$;

CREATE FUNCTION job_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
        PERFORM pg_notify('tenshot_progress', job_event_json(NEW)::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER job_bump_version BEFORE UPDATE ON job FOR EACH ROW EXECUTE FUNCTION job_bump_version();
CREATE TRIGGER job_notify AFTER INSERT OR UPDATE ON job FOR EACH ROW EXECUTE FUNCTION job_notify();
