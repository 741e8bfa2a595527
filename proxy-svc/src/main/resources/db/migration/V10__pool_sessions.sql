-- Sticky pool sessions as the nodes holding them publish them (at each refresh while the node has
-- any), for the API to list and close. A row not refreshed for 5 s belongs to a node that is gone.
create table pool_sessions (
    id                 uuid primary key,
    node               text        not null,
    user_id            uuid        not null,
    tenant_id          uuid        not null,
    name               text        not null,
    device_id          uuid        not null,
    strict             boolean     not null,
    created_at         timestamptz not null,
    last_used_at       timestamptz not null,
    expires_at         timestamptz not null,
    active_connections int         not null,
    traffic_in_bytes   bigint      not null,
    traffic_out_bytes  bigint      not null,
    close_requested_at timestamptz,
    updated_at         timestamptz not null default now()
);
create index pool_sessions_user on pool_sessions (user_id, created_at desc);
create index pool_sessions_node on pool_sessions (node);

-- Each node's open pool connections per user (sessions or not), for the pool's stats.
create table pool_connections (
    node        text        not null,
    user_id     uuid        not null,
    tenant_id   uuid        not null,
    connections int         not null,
    updated_at  timestamptz not null default now(),
    primary key (node, user_id)
);

-- The pool's own traffic per user and direction (a port keeps its total in used_traffic_bytes).
alter table pool_credentials add column traffic_in_bytes bigint not null default 0;
alter table pool_credentials add column traffic_out_bytes bigint not null default 0;
