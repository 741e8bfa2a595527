-- Outgoing webhooks: endpoints, the messages sent to them, one delivery per (message, endpoint)
-- and every attempt of it. Deliveries are the queue: a worker claims due rows with SKIP LOCKED and
-- a lease (locked_until), so a killed worker's rows are taken again when the lease runs out.
create table webhook_endpoints (
    id                    uuid primary key,
    tenant_id             uuid        not null,
    user_id               uuid,                       -- null: the tenant's endpoint, for all its users' events
    url                   text        not null,
    description           text,
    events                text[]      not null,
    active                boolean     not null default true,
    disabled_reason       text,
    secret                text        not null,
    previous_secret       text,
    previous_secret_until timestamptz,
    consecutive_failures  int         not null default 0,
    failing_since         timestamptz,
    last_attempt_at       timestamptz,
    last_status_code      int,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now()
);
create index webhook_endpoints_owner on webhook_endpoints (tenant_id, user_id);

create table webhook_messages (
    id           uuid primary key,
    tenant_id    uuid        not null,
    user_id      uuid,
    event_type   text        not null,
    payload      text        not null,               -- the exact body sent, the same on every attempt
    source_event text unique,                        -- null for test messages
    created_at   timestamptz not null default now()
);

create table webhook_deliveries (
    id              uuid primary key,
    endpoint_id     uuid        not null references webhook_endpoints (id) on delete cascade,
    message_id      uuid        not null references webhook_messages (id),
    event_type      text        not null,
    status          text        not null default 'pending'
                    check (status in ('pending', 'retrying', 'succeeded', 'failed')),
    attempts        int         not null default 0,
    next_attempt_at timestamptz,
    locked_until    timestamptz,
    lease_id        uuid,                            -- the claim that may record the attempt's result
    last_status_code int,
    last_error      text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status in ('pending', 'retrying');
create index webhook_deliveries_endpoint on webhook_deliveries (endpoint_id, created_at desc);

create table webhook_attempts (
    id            bigserial primary key,
    delivery_id   uuid        not null references webhook_deliveries (id) on delete cascade,
    attempt       int         not null,
    status_code   int,
    response_body text,                             -- the first KiB
    duration_ms   int         not null,
    error         text,
    attempted_at  timestamptz not null
);
create index webhook_attempts_delivery on webhook_attempts (delivery_id, attempt);

-- A new due delivery wakes the workers at once (they also poll, so a lost wake-up only delays).
create function webhook_deliveries_wake() returns trigger language plpgsql as $$
begin
    perform pg_notify('tollgate_webhooks', '');
    return null;
end $$;
create trigger webhook_deliveries_wake after insert on webhook_deliveries
    for each statement execute function webhook_deliveries_wake();

-- The owner of an endpoint the platform switched off hears about it in the console.
alter table notifications drop constraint notifications_category_check;
alter table notifications add constraint notifications_category_check
    check (category in ('security', 'billing', 'usage', 'proxy', 'render', 'product', 'webhooks'));
