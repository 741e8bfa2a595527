-- What a caller did with the render API, one row per call on a job (submit, run, status, result,
-- cancel) and per refused submit (402, 404, 409, 422, 429), with how long it took. A submit's
-- outcome (what it was charged, whether the job failed and why) is read from its job, so the row
-- is written once and never disagrees with the job.
create table activity (
    id            uuid        primary key,
    user_id       uuid        not null,
    tenant_id     uuid        not null,
    api_key_id    uuid,
    job_id        uuid        references jobs (id) on delete set null,
    model_id      text        not null check (length(model_id) <= 200),
    operation     text        not null check (operation in ('submit', 'run', 'status', 'result', 'cancel', 'stream')),
    status        text        not null check (status in ('success', 'error')),
    error_code    text,
    duration_ms   int         not null check (duration_ms >= 0),
    -- a submit answered from an earlier one under the same Idempotency-Key: listed, never charged twice
    replayed      boolean     not null default false,
    created_at    timestamptz not null default now()
);
create index activity_user on activity (user_id, created_at desc, id);
create index activity_job on activity (job_id) where job_id is not null;
create index activity_created on activity (created_at);

-- A job the sweeper failed says why in the same column as a renderer's failures.
update jobs set error_code = 'worker_lost' where status = 'FAILED' and error_code is null and error = 'worker lease lapsed';
