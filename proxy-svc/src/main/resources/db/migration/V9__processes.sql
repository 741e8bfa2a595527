-- Long operations a user started and can watch or cancel (the seed's account processes): today the
-- smart bulk creation of ports. A process is worked by one instance at a time under a lease
-- (lease_id, locked_until); each item commits together with the process's counters, so a process
-- resumed by another instance after a crash neither repeats nor loses an item.
create table processes (
    id           uuid        primary key,
    user_id      uuid        not null,
    tenant_id    uuid        not null,
    type         text        not null check (type in ('port_creation')),
    status       text        not null check (status in ('running', 'completed', 'failed', 'cancelled')),
    message      text        not null,
    request      jsonb       not null,
    metadata     jsonb       not null default '{}',
    total        int         not null check (total between 1 and 50),
    completed    int         not null default 0,
    failed       int         not null default 0,
    ports        jsonb       not null default '[]',
    errors       jsonb       not null default '[]',
    lease_id     uuid,
    locked_until timestamptz,
    started_at   timestamptz not null,
    finished_at  timestamptz,
    updated_at   timestamptz not null,
    check (completed >= 0 and failed >= 0 and completed + failed <= total),
    check ((status = 'running') = (finished_at is null))
);

create index processes_by_owner on processes (user_id, tenant_id, started_at desc);
create index processes_running on processes (locked_until) where status = 'running';
