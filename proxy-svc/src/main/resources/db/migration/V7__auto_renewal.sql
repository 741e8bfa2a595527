-- Auto-renewal per port: whether it is on, for how many days each renewal buys, and how it went.
-- A renewal is due from (expires_at - the configured lead) or, after a refused attempt, from
-- renewal_retry_at; renewal_claim marks the one scanner renewing it until renewal_claimed_until.
alter table ports
    add column auto_renew              boolean     not null default false,
    add column renewal_source          text        not null default 'balance' check (renewal_source in ('balance', 'stripe')),
    add column renewal_days            int         not null default 30 check (renewal_days between 1 and 365),
    add column renewal_failed_attempts int         not null default 0,
    add column renewal_last_failure    text,
    add column renewal_last_failed_at  timestamptz,
    add column renewal_retry_at        timestamptz,
    add column renewals_total          int         not null default 0,
    add column last_renewed_at         timestamptz,
    add column renewal_claim           uuid,
    add column renewal_claimed_until   timestamptz;

create index ports_auto_renew on ports (expires_at) where auto_renew and status in ('active', 'suspended');
