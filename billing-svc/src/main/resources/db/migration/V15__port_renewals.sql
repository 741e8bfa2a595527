-- Port auto-renewals charged from the balance when proxy-svc asks: one row per port and period
-- (the end being renewed), so a period is charged once even after the Idempotency-Key's answer is gone.
create table port_renewals (
    id               uuid primary key,
    tenant_id        uuid        not null,
    user_id          uuid        not null,
    port_id          uuid        not null,
    port_name        text,
    is_private       boolean     not null,
    days             int         not null check (days between 1 and 365),
    period_ends_at   timestamptz not null,
    slot_month_minor bigint      not null,
    total_minor      bigint      not null check (total_minor > 0),
    currency         char(3)     not null,
    journal_id       uuid        not null,
    invoice_id       uuid references invoices (id),
    created_at       timestamptz not null default now(),
    unique (port_id, period_ends_at)
);
create index port_renewals_user on port_renewals (user_id, created_at desc);
