-- What each user's render plan allows (from billing's subscription.renewed / subscription.expired):
-- jobs at once, renders per period and the queue priority of their jobs. No row: the defaults.
create table render_plans (
    user_id           uuid primary key,
    tenant_id         uuid        not null,
    subscription_id   uuid        not null,
    plan_code         text        not null,
    parallel_renders  int         not null check (parallel_renders >= 1),
    renders_quota     int         not null check (renders_quota >= 0),
    period_start      timestamptz not null,
    period_end        timestamptz not null,
    as_of             timestamptz not null,
    updated_at        timestamptz not null default now()
);
