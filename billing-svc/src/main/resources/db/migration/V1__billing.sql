-- Wallets: one per user and currency. The two balances are the ledger's running totals, kept on
-- the row so that every money move is one conditional UPDATE (the row lock serialises movers).
create table wallets (
    id              uuid primary key,
    user_id         uuid        not null,
    tenant_id       uuid        not null,
    currency        char(3)     not null,
    available_minor bigint      not null default 0 check (available_minor >= 0),
    reserved_minor  bigint      not null default 0 check (reserved_minor >= 0),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    unique (user_id, currency)
);
create index wallets_tenant on wallets (tenant_id);

-- The journal: one row per money move as the wallet's owner sees it, with the balances after it.
create table journal (
    id                   uuid primary key,
    wallet_id            uuid        not null references wallets (id),
    user_id              uuid        not null,
    tenant_id            uuid        not null,
    type                 text        not null check (type in ('topup', 'hold', 'capture', 'release', 'refund', 'grant',
                                                              'clawback', 'promo_bonus', 'purchase', 'adjust')),
    amount_minor         bigint      not null, -- signed change of the available balance
    reserved_change_minor bigint     not null default 0,
    balance_after_minor  bigint      not null,
    reserved_after_minor bigint      not null,
    currency             char(3)     not null,
    reference_type       text,
    reference_id         text,
    description          text,
    created_at           timestamptz not null default clock_timestamp()
);
create index journal_wallet on journal (wallet_id, created_at desc, id);
create index journal_user on journal (user_id, created_at desc);
create index journal_type on journal (type, created_at desc);

-- Double entry: every journal row has postings that sum to zero. Accounts are
-- wallet:<id>:available, wallet:<id>:reserved, provider:<name>, platform:revenue, platform:grants.
create table postings (
    id           bigserial primary key,
    journal_id   uuid    not null references journal (id) deferrable initially deferred,
    account      text    not null,
    amount_minor bigint  not null,
    currency     char(3) not null
);
create index postings_journal on postings (journal_id);
create index postings_account on postings (account);

-- Holds: reserved money for a piece of work in one of our services.
create table holds (
    id             uuid primary key,
    wallet_id      uuid        not null references wallets (id),
    user_id        uuid        not null,
    tenant_id      uuid        not null,
    amount_minor   bigint      not null check (amount_minor > 0),
    captured_minor bigint      not null default 0,
    currency       char(3)     not null,
    status         text        not null check (status in ('pending', 'captured', 'partially_captured', 'voided', 'expired')),
    service        text        not null,
    reference      text,
    description    text,
    api_key_id     uuid,
    expires_at     timestamptz not null,
    created_at     timestamptz not null default now(),
    resolved_at    timestamptz
);
create index holds_pending on holds (expires_at) where status = 'pending';
create index holds_user on holds (user_id, created_at desc);

-- Payments at providers (top-ups). Crediting happens once: the status moves out of pending once.
create table payments (
    id                  uuid primary key,
    wallet_id           uuid        not null references wallets (id),
    user_id             uuid        not null,
    tenant_id           uuid        not null,
    provider            text        not null check (provider in ('stripe', 'yookassa', 'coingate')),
    provider_payment_id text,
    amount_minor        bigint      not null check (amount_minor > 0),
    credited_minor      bigint      not null default 0,
    currency            char(3)     not null,
    status              text        not null check (status in ('pending', 'succeeded', 'failed', 'canceled', 'expired')),
    trigger             text        not null default 'checkout',
    redirect_url        text,
    client_secret       text,
    failure_reason      text,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    confirmed_at        timestamptz,
    failed_at           timestamptz
);
create unique index payments_provider_id on payments (provider, provider_payment_id) where provider_payment_id is not null;
create index payments_user on payments (user_id, created_at desc);

-- Every provider notification by its own id: a duplicate delivery is recognised and changes nothing.
create table provider_events (
    provider    text        not null,
    event_id    text        not null,
    payment_id  uuid,
    type        text        not null,
    received_at timestamptz not null default now(),
    primary key (provider, event_id)
);
