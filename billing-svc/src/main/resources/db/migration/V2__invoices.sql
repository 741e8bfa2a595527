-- Invoices: numbered INV-<year>-<000001> per tenant and year without gaps (the counter row is
-- taken in the same transaction as the invoice), one per paid payment or purchase.
create table invoice_counters (
    tenant_id uuid not null,
    year      int  not null,
    last      int  not null,
    primary key (tenant_id, year)
);

create table invoices (
    id             uuid primary key,
    tenant_id      uuid        not null,
    user_id        uuid        not null,
    number         text        not null,
    status         text        not null check (status in ('draft', 'pending', 'paid', 'cancelled', 'refunded')),
    currency       char(3)     not null,
    subtotal_minor bigint      not null,
    tax_minor      bigint      not null default 0,
    total_minor    bigint      not null,
    payment_method text        not null,
    payment_id     uuid references payments (id),
    issued_at      timestamptz not null default now(),
    paid_at        timestamptz,
    unique (tenant_id, number)
);
create index invoices_user on invoices (user_id, issued_at desc);

create table invoice_items (
    invoice_id       uuid   not null references invoices (id),
    position         int    not null,
    description      text   not null,
    type             text   not null,
    quantity         int    not null check (quantity >= 1),
    unit_price_minor bigint not null,
    total_minor      bigint not null,
    primary key (invoice_id, position)
);

alter table payments add column invoice_id uuid references invoices (id);
