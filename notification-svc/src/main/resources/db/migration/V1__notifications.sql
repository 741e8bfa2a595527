-- In-app notifications: one per event that concerns a user, made once per event id.
create table notifications (
    id           uuid primary key,
    user_id      uuid        not null,
    tenant_id    uuid        not null,
    category     text        not null check (category in ('security', 'billing', 'usage', 'proxy', 'render', 'product')),
    severity     text        not null check (severity in ('info', 'success', 'warning', 'error')),
    title        text        not null,
    body         text        not null,
    action_url   text,
    action_label text,
    source_event text        not null unique,
    read_at      timestamptz,
    created_at   timestamptz not null default now()
);
create index notifications_user on notifications (user_id, created_at desc);
create index notifications_unread on notifications (user_id) where read_at is null;
