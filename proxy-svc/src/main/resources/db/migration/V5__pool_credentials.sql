-- A user's pool credentials (the seed's account proxy password): shown again, so sealed, not hashed.
create table pool_credentials (
    user_id         uuid primary key,
    tenant_id       uuid        not null,
    username        text        not null unique,
    password_sealed text        not null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now()
);
