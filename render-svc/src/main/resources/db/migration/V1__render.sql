-- render-svc: the model catalogue, jobs with their logs, and the assets they produce.

create table models (
    model_id          text        primary key check (model_id ~ '^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$' and length(model_id) <= 200),
    display_name      text        not null,
    category          text        not null,
    lab               text        not null,
    description       text        not null default '',
    tags              text[]      not null default '{}',
    provider          text        not null default 'local',
    renderer          text        not null,
    price_unit        text        not null check (price_unit in ('images', 'megapixels', 'seconds', 'steps', 'flat')),
    -- millionths of a minor unit of the currency, per unit of price_unit
    unit_price_micros bigint      not null check (unit_price_micros >= 0),
    min_price_micros  bigint      not null default 0 check (min_price_micros >= 0),
    discount_percent  int         not null default 0 check (discount_percent between 0 and 99),
    currency          char(3)     not null default 'USD',
    input_schema      jsonb       not null,
    visible           boolean     not null default true,
    community         boolean     not null default false,
    popularity        bigint      not null default 0,
    published_at      timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);

create table jobs (
    id                   uuid        primary key,
    user_id              uuid        not null,
    tenant_id            uuid        not null,
    api_key_id           uuid,
    model_id             text        not null references models (model_id),
    input                jsonb       not null,
    status               text        not null check (status in ('IN_QUEUE', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED')),
    priority             int         not null default 50,
    hold_id              uuid,
    currency             char(3)     not null,
    estimated_cost_minor bigint      not null,
    cost_minor           bigint,
    quantity             numeric     not null,
    attempts             int         not null default 0,
    max_attempts         int         not null default 3,
    lease_id             uuid,
    locked_until         timestamptz,
    cancel_requested     boolean     not null default false,
    progress             jsonb,
    output               jsonb,
    error                text,
    idempotency_key      text,
    request_fingerprint  text,
    created_at           timestamptz not null default now(),
    started_at           timestamptz,
    completed_at         timestamptz,
    failed_at            timestamptz,
    cancelled_at         timestamptz,
    updated_at           timestamptz not null default now()
);
create unique index jobs_idempotency on jobs (user_id, idempotency_key) where idempotency_key is not null;
create index jobs_user on jobs (user_id, created_at desc);
create index jobs_queued on jobs (priority desc, created_at) where status = 'IN_QUEUE';
create index jobs_running on jobs (locked_until) where status = 'IN_PROGRESS';

create table job_logs (
    job_id     uuid        not null references jobs (id) on delete cascade,
    seq        bigserial   primary key,
    level      text        not null,
    message    text        not null,
    logged_at  timestamptz not null default now()
);
create index job_logs_job on job_logs (job_id, seq);

create table assets (
    id            uuid        primary key,
    user_id       uuid        not null,
    tenant_id     uuid        not null,
    job_id        uuid        references jobs (id) on delete set null,
    kind          text        not null check (kind in ('output', 'upload')),
    content_type  text        not null,
    size_bytes    bigint      not null,
    sha256        text        not null,
    width         int,
    height        int,
    duration_ms   int,
    storage_key   text        not null,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null
);
create index assets_job on assets (job_id);
create index assets_expiry on assets (expires_at);
