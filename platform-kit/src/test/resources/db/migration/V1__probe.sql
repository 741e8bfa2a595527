create table probe_records (
    id           uuid primary key,
    name         text   not null,
    amount_minor bigint not null
);
create table probe_effects (
    id         bigserial primary key,
    consumer   text not null,
    event_id   text not null,
    applied_at timestamptz not null default now()
);
