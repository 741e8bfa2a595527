-- identity-svc: tenants, users, sessions and refresh tokens, login history, MFA, API keys and
-- the signing keys of the token authority. Secrets are stored hashed (or, where they must be
-- shown or used again, encrypted); never in the clear.

create table tenants (
    id                 uuid primary key,
    slug               text        not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name               text        not null,
    kind               text        not null default 'Enterprise' check (kind in ('Internal', 'Reseller', 'Enterprise')),
    status             text        not null default 'Active' check (status in ('Active', 'Trial', 'Suspended', 'Cancelled')),
    contact_email      text        not null,
    contact_name       text,
    contact_phone      text,
    billing_email      text,
    currency           text        not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
    allowed_origins    text[]      not null default '{}',
    custom_domain      text,
    domain_verified    boolean     not null default false,
    max_users          int,
    max_storage_gb     int,
    monthly_render_qty int,
    trial_ends_at      timestamptz,
    branding           jsonb       not null default '{}',
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now()
);

-- The tenant every installation starts with.
insert into tenants (id, slug, name, kind, contact_email)
values ('00000000-0000-4000-8000-000000000001', 'default', 'Tollgate', 'Internal', 'ops@tollgate.local');

create table domain_verifications (
    id               uuid primary key,
    tenant_id        uuid        not null references tenants (id),
    domain           text        not null,
    method           text        not null check (method in ('DNS_TXT')),
    token            text        not null,
    challenge_record text        not null,
    expires_at       timestamptz not null,
    verified_at      timestamptz,
    created_at       timestamptz not null default now()
);

create table users (
    id                uuid primary key,
    tenant_id         uuid        not null references tenants (id),
    email             text        not null,
    email_normalized  text        not null,
    password_hash     text        not null,
    full_name         text        not null,
    role              text        not null default 'customer' check (role in ('customer', 'tenant_admin', 'admin')),
    locale            text,
    email_verified_at timestamptz,
    mfa_enabled       boolean     not null default false,
    banned_at         timestamptz,
    ban_reason        text,
    unblock_at        timestamptz,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    unique (tenant_id, email_normalized)
);

create table email_verifications (
    id          uuid primary key,
    user_id     uuid        not null references users (id),
    token_hash  text        not null unique,
    code_hash   text        not null,
    attempts    int         not null default 0,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    created_at  timestamptz not null default now()
);
create index email_verifications_user on email_verifications (user_id, created_at desc);

create table password_resets (
    id          uuid primary key,
    user_id     uuid        not null references users (id),
    token_hash  text        not null unique,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    created_at  timestamptz not null default now()
);

create table sessions (
    id            uuid primary key,
    user_id       uuid        not null references users (id),
    tenant_id     uuid        not null,
    device_name   text,
    user_agent    text,
    ip_address    text,
    amr           text[]      not null default '{pwd}',
    created_at    timestamptz not null default now(),
    last_used_at  timestamptz not null default now(),
    expires_at    timestamptz not null,
    revoked_at    timestamptz,
    revoke_reason text
);
create index sessions_user on sessions (user_id) where revoked_at is null;

create table refresh_tokens (
    token_hash  text primary key,
    session_id  uuid        not null references sessions (id),
    issued_at   timestamptz not null default now(),
    used_at     timestamptz,
    expires_at  timestamptz not null
);
create index refresh_tokens_session on refresh_tokens (session_id);

create table login_history (
    id          bigserial primary key,
    tenant_id   uuid,
    user_id     uuid,
    email       text        not null,
    success     boolean     not null,
    error_code  text,
    ip_address  text,
    user_agent  text,
    created_at  timestamptz not null default now()
);
create index login_history_user on login_history (user_id, created_at desc);

create table mfa_factors (
    id              uuid primary key,
    user_id         uuid        not null references users (id),
    factor_type     text        not null check (factor_type in ('TOTP')),
    label           text,
    secret_enc      text        not null,
    confirmed_at    timestamptz,
    last_used_step  bigint      not null default 0,
    created_at      timestamptz not null default now()
);

create table recovery_codes (
    id         uuid primary key,
    user_id    uuid        not null references users (id),
    factor_id  uuid        not null references mfa_factors (id),
    code_hash  text        not null,
    used_at    timestamptz
);

create table mfa_challenges (
    token_hash  text primary key,
    user_id     uuid        not null references users (id),
    device_name text,
    user_agent  text,
    ip_address  text,
    attempts    int         not null default 0,
    expires_at  timestamptz not null,
    used_at     timestamptz
);

create table api_keys (
    id             uuid primary key,
    user_id        uuid        not null references users (id),
    tenant_id      uuid        not null,
    name           text        not null,
    environment    text        not null check (environment in ('live', 'test')),
    key_prefix     text        not null,
    last4          text        not null,
    secret_hash    text        not null unique,
    scopes         text[]      not null,
    allowed_ips    text[]      not null default '{}',
    rate_limit_rpm int         not null,
    expires_at     timestamptz,
    last_used_at   timestamptz,
    usage_count    bigint      not null default 0,
    revoked_at     timestamptz,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now()
);
create index api_keys_user on api_keys (user_id, created_at desc);

create table signing_keys (
    kid          text primary key,
    state        text        not null check (state in ('next', 'active', 'retired')),
    private_enc  text        not null,
    public_jwk   jsonb       not null,
    created_at   timestamptz not null default now(),
    activated_at timestamptz,
    retired_at   timestamptz
);
