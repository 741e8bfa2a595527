-- Each tenant's name and branding from identity's tenant events, for the payment page's look.
create table tenant_branding (
    tenant_id  uuid primary key,
    name       text,
    branding   jsonb       not null default '{}',
    updated_at timestamptz not null default now()
);
