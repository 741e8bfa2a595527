-- Low-balance alerts: a threshold fires once when the available balance falls below it
-- (armed -> false) and re-arms once the balance is back at or above it.
create table balance_alerts (
    user_id         uuid        not null,
    tenant_id       uuid        not null,
    currency        char(3)     not null,
    threshold_minor bigint      not null check (threshold_minor between 0 and 100000000),
    armed           boolean     not null,
    created_at      timestamptz not null default now(),
    fired_at        timestamptz,
    primary key (user_id, currency, threshold_minor)
);
