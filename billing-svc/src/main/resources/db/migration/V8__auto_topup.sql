-- Cards saved at a checkout (the provider keeps the card; we keep its id and what to show), and
-- auto top-up: when a move takes the available balance below the threshold, the default card is
-- charged off-session for the amount. One attempt at a time per wallet; after a decline, none for
-- an hour.
create table payment_methods (
    id                 uuid primary key,
    user_id            uuid        not null,
    tenant_id          uuid        not null,
    provider           text        not null,
    provider_method_id text        not null,
    brand              text        not null,
    last4              text        not null,
    exp_month          int         not null,
    exp_year           int         not null,
    is_default         boolean     not null default false,
    created_at         timestamptz not null default now(),
    unique (provider, provider_method_id)
);
create index payment_methods_user on payment_methods (user_id, created_at desc);
create unique index payment_methods_one_default on payment_methods (user_id) where is_default;

create table auto_topup (
    wallet_id          uuid primary key references wallets (id),
    user_id            uuid        not null,
    tenant_id          uuid        not null,
    enabled            boolean     not null,
    threshold_minor    bigint      not null check (threshold_minor >= 0),
    amount_minor       bigint      not null check (amount_minor > 0),
    due                boolean     not null default false,
    pending_payment_id uuid,
    last_attempt_at    timestamptz,
    last_result        text,
    last_failed_at     timestamptz,
    updated_at         timestamptz not null default now()
);
create index auto_topup_due on auto_topup (wallet_id) where due;

alter table payments add column save_method boolean not null default false;
alter table payments add column payment_method_id uuid references payment_methods (id);
