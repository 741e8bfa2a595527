-- FlatRender plans, bought from the balance for a month at a time, renewed by the scheduler.
create table plans (
    code                  text primary key,
    name                  text        not null,
    price_minor           bigint      not null check (price_minor > 0),
    before_price_minor    bigint,
    currency              char(3)     not null,
    billing_period        text        not null check (billing_period in ('month')),
    seconds_charge        int         not null,
    monthly_renders_quota int         not null,
    storage_gb            int         not null,
    parallel_renders      int         not null,
    max_resolution        text        not null,
    render_speed_factor   numeric(4, 2) not null,
    is_featured           boolean     not null default false,
    features              text[]      not null default '{}',
    position              int         not null,
    active                boolean     not null default true
);

insert into plans (code, name, price_minor, before_price_minor, currency, billing_period, seconds_charge, monthly_renders_quota,
                   storage_gb, parallel_renders, max_resolution, render_speed_factor, is_featured, features, position) values
    ('starter', 'Starter', 990, null, 'USD', 'month', 3600, 100, 5, 1, '1080p', 1.00, false,
     '{"100 renders a month","1 render at a time","5 GB storage"}', 1),
    ('pro', 'Pro', 2990, 3990, 'USD', 'month', 14400, 500, 50, 3, '4k', 1.50, true,
     '{"500 renders a month","3 renders at a time","50 GB storage","priority queue"}', 2),
    ('studio', 'Studio', 9990, null, 'USD', 'month', 72000, 3000, 500, 10, '8k', 2.00, false,
     '{"3000 renders a month","10 renders at a time","500 GB storage","priority queue","dedicated support"}', 3);

create table subscriptions (
    id                 uuid primary key,
    tenant_id          uuid        not null,
    user_id            uuid        not null,
    plan_code          text        not null references plans (code),
    status             text        not null check (status in ('active', 'expired')),
    auto_renew         boolean     not null,
    period_start       timestamptz not null,
    period_end         timestamptz not null,
    renewals           int         not null default 0,
    cancelled_at       timestamptz,
    ended_at           timestamptz,
    end_reason         text,
    created_at         timestamptz not null default now()
);
create unique index subscriptions_one_active on subscriptions (user_id) where status = 'active';
create index subscriptions_due on subscriptions (period_end) where status = 'active';
