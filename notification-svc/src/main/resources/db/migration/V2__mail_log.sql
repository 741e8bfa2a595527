-- Every mail handed to the SMTP server, once per source event.
create table mail_log (
    id           uuid primary key,
    user_id      uuid        not null,
    tenant_id    uuid        not null,
    recipient    text        not null,
    template     text        not null,
    subject      text        not null,
    status       text        not null check (status in ('sent', 'failed')),
    source_event text        not null unique,
    created_at   timestamptz not null default now()
);
create index mail_log_user on mail_log (user_id, created_at desc);
