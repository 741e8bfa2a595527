-- Shared tables every service with a database carries (platform-kit): the transactional outbox,
-- the consumer inbox and the Idempotency-Key store.

create table outbox (
    id             uuid primary key,               -- the CloudEvents ce_id
    topic          text        not null,
    aggregate_id   text        not null,           -- the Kafka record key
    type           text        not null,           -- ce_type
    source         text        not null,           -- ce_source
    subject        text,                           -- ce_subject
    payload        jsonb       not null,
    occurred_at    timestamptz not null,           -- ce_time
    created_at     timestamptz not null default now(),
    sent_at        timestamptz,
    attempts       int         not null default 0,
    last_error     text
);
create index outbox_unsent on outbox (created_at) where sent_at is null;

create table inbox (
    consumer     text        not null,
    event_id     text        not null,
    event_type   text        not null,
    consumed_at  timestamptz not null default now(),
    primary key (consumer, event_id)
);

create table idempotency_keys (
    scope          text        not null,           -- who asked: the caller's subject
    idem_key       text        not null,
    fingerprint    text        not null,           -- sha-256 of method, path and canonical body
    status         int,                            -- null while the first request is in flight
    content_type   text,
    location       text,
    body           bytea,
    created_at     timestamptz not null default now(),
    locked_until   timestamptz,
    expires_at     timestamptz not null,
    primary key (scope, idem_key)
);
create index idempotency_keys_expiry on idempotency_keys (expires_at);
