-- Events a consumer gave up on after its bounded retries (or that are no CloudEvent at all), with
-- the error; an administrator lists them and replays one (through the inbox, so at most once).
create table dead_letters (
    id               uuid primary key,
    consumer         text        not null,
    event_id         text        not null,      -- the CloudEvents id (kafka:<topic>/<partition>/<offset> for a non-CloudEvent)
    event_type       text        not null,
    source           text,
    subject          text,
    event_time       timestamptz,
    topic            text        not null,
    kafka_partition  int         not null,
    kafka_offset     bigint      not null,
    record_key       text,
    data             bytea       not null,
    error            text        not null,
    attempts         int         not null,
    created_at       timestamptz not null default now(),
    replayed_at      timestamptz,
    unique (consumer, event_id)
);
create index dead_letters_recent on dead_letters (created_at desc);
