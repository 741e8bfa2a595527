-- Who to mail and how: the address book (from identity's events), each tenant's mail branding,
-- each user's mail preferences. The mail log also records mail that was not sent and why.
create table mail_recipients (
    user_id    uuid primary key,
    tenant_id  uuid        not null,
    email      text        not null,
    full_name  text,
    locale     text,
    updated_at timestamptz not null default now()
);

create table tenant_branding (
    tenant_id  uuid primary key,
    name       text,
    branding   jsonb       not null default '{}',
    updated_at timestamptz not null default now()
);

-- One row once a user changed anything; no row means every category on.
create table email_preferences (
    user_id          uuid primary key,
    tenant_id        uuid        not null,
    billing          boolean     not null default true,
    usage            boolean     not null default true,
    proxy            boolean     not null default true,
    render           boolean     not null default true,
    webhooks         boolean     not null default true,
    marketing        boolean     not null default true,
    unsubscribed_all boolean     not null default false,
    updated_at       timestamptz not null default now()
);

alter table mail_log drop constraint mail_log_status_check;
alter table mail_log add constraint mail_log_status_check check (status in ('sent', 'failed', 'suppressed'));
alter table mail_log alter column source_event drop not null;
alter table mail_log add column category text not null default 'security';
alter table mail_log add column detail text;
