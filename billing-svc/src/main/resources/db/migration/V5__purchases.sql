-- Proxy purchases: traffic (GB, one-time) and port slots (monthly), from the balance; what each
-- user is entitled to now; the slot tier follows the traffic bought so far.
create table entitlements (
    user_id               uuid primary key,
    tenant_id             uuid        not null,
    cumulative_gb         bigint      not null default 0,
    traffic_shared_bytes  bigint      not null default 0 check (traffic_shared_bytes >= 0),
    traffic_private_bytes bigint      not null default 0 check (traffic_private_bytes >= 0),
    slots_shared          int         not null default 0 check (slots_shared >= 0),
    slots_private         int         not null default 0 check (slots_private >= 0),
    updated_at            timestamptz not null default now()
);

create table purchases (
    id                  uuid primary key,
    tenant_id           uuid        not null,
    user_id             uuid        not null,
    resource            text        not null check (resource in ('traffic', 'ports')),
    is_private          boolean     not null,
    amount              int         not null check (amount > 0),
    unit_price_minor    bigint      not null,
    discount_percent    int         not null,
    total_minor         bigint      not null,
    currency            char(3)     not null,
    charged             boolean     not null,
    journal_id          uuid,
    invoice_id          uuid references invoices (id),
    created_by          text        not null,
    created_at          timestamptz not null default now()
);
create index purchases_user on purchases (user_id, created_at desc);

alter table invoices add column purchase_id uuid;
