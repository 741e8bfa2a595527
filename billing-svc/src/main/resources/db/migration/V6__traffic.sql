-- Traffic metered by proxy-svc is charged against the allowance bought: what was used, what went
-- beyond it, whether the allowance is out (so "exhausted" and "restored" fire once per crossing),
-- and the bytes per user and day for usage reports.
alter table entitlements add column used_shared_bytes bigint not null default 0;
alter table entitlements add column used_private_bytes bigint not null default 0;
alter table entitlements add column overage_shared_bytes bigint not null default 0;
alter table entitlements add column overage_private_bytes bigint not null default 0;
alter table entitlements add column exhausted_shared boolean not null default false;
alter table entitlements add column exhausted_private boolean not null default false;

create table traffic_usage_daily (
    user_id    uuid    not null,
    tenant_id  uuid    not null,
    day        date    not null,
    is_private boolean not null,
    bytes      bigint  not null,
    windows    int     not null,
    primary key (user_id, day, is_private)
);
