-- Promo codes for top-ups: a bonus credited with the payment (a percentage of it, or a fixed
-- amount). Redemptions are taken when the top-up starts (counted against the limits at once, under
-- the code row's lock) and applied or released when the provider answers.
create table promo_codes (
    id               uuid primary key,
    code             text        not null unique check (code ~ '^[A-Z0-9_-]{2,64}$'),
    kind             text        not null check (kind in ('percentage', 'fixed', 'bonus_credits')),
    value            bigint      not null check (value > 0),
    currency         char(3),
    max_redemptions  int check (max_redemptions > 0),
    per_user_limit   int         not null default 1 check (per_user_limit > 0),
    min_amount_minor bigint,
    max_amount_minor bigint,
    valid_from       timestamptz,
    valid_until      timestamptz,
    is_active        boolean     not null default true,
    redeemed_count   int         not null default 0,
    created_at       timestamptz not null default now()
);

create table promo_redemptions (
    id          uuid primary key,
    promo_id    uuid        not null references promo_codes (id),
    user_id     uuid        not null,
    payment_id  uuid        not null unique references payments (id),
    base_minor  bigint      not null,
    bonus_minor bigint      not null,
    status      text        not null check (status in ('reserved', 'applied', 'released')),
    created_at  timestamptz not null default now()
);
create index promo_redemptions_promo on promo_redemptions (promo_id, created_at desc);
create index promo_redemptions_user on promo_redemptions (promo_id, user_id) where status <> 'released';
