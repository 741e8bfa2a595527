-- proxy-svc: the nodes and devices ports run on, the ports, their rotations, and what billing says
-- each user may hold (projected from billing's entitlement.changed).

create table countries (
    code char(2) primary key check (code ~ '^[A-Z]{2}$'),
    iso3 char(3) not null unique check (iso3 ~ '^[A-Z]{3}$'),
    name text    not null
);
insert into countries (code, iso3, name) values
    ('US', 'USA', 'United States'), ('GB', 'GBR', 'United Kingdom'), ('DE', 'DEU', 'Germany'), ('FR', 'FRA', 'France'),
    ('NL', 'NLD', 'Netherlands'), ('ES', 'ESP', 'Spain'), ('IT', 'ITA', 'Italy'), ('PL', 'POL', 'Poland'),
    ('UA', 'UKR', 'Ukraine'), ('CA', 'CAN', 'Canada'), ('BR', 'BRA', 'Brazil'), ('MX', 'MEX', 'Mexico'),
    ('JP', 'JPN', 'Japan'), ('IN', 'IND', 'India'), ('AU', 'AUS', 'Australia'), ('TR', 'TUR', 'Turkey'),
    ('SE', 'SWE', 'Sweden'), ('AT', 'AUT', 'Austria'), ('CH', 'CHE', 'Switzerland'), ('PT', 'PRT', 'Portugal');

create table cities (
    id           uuid primary key,
    country_code char(2) not null references countries (code),
    name         text    not null check (length(name) between 1 and 100),
    unique (country_code, name)
);

create table carriers (
    id           uuid primary key,
    country_code char(2) not null references countries (code),
    name         text    not null check (length(name) between 1 and 100),
    brand        text,
    mcc          text    check (mcc ~ '^[0-9]{3}$'),
    mnc          text    check (mnc ~ '^[0-9]{2,3}$'),
    unique (country_code, name)
);

-- A node of the data plane: where port numbers are opened and what each device on it may carry.
create table servers (
    id                        uuid primary key,
    name                      text        not null unique check (length(name) between 1 and 100),
    ip                        text        not null,
    http_port_start           int         not null check (http_port_start between 1024 and 65535),
    http_port_end             int         not null check (http_port_end between 1024 and 65535),
    socks_port_start          int         not null check (socks_port_start between 1024 and 65535),
    socks_port_end            int         not null check (socks_port_end between 1024 and 65535),
    default_max_conn          int         not null default 100 check (default_max_conn between 1 and 100000),
    default_conn_lim          int         not null default 50 check (default_conn_lim between 1 and 100000),
    soft_max_ports_per_device int         not null default 3 check (soft_max_ports_per_device >= 1),
    max_ports_per_device      int         not null default 5 check (max_ports_per_device >= soft_max_ports_per_device),
    status                    text        not null default 'active' check (status in ('active', 'inactive', 'maintenance')),
    created_at                timestamptz not null default now(),
    updated_at                timestamptz not null default now(),
    check (http_port_end >= http_port_start),
    check (socks_port_end >= socks_port_start)
);

create table devices (
    id                uuid primary key,
    server_id         uuid        not null references servers (id),
    type              text        not null check (type in ('phone', 'modem')),
    name              text        not null check (length(name) between 1 and 100),
    imei              char(15)    not null unique check (imei ~ '^[0-9]{15}$'),
    status            text        not null default 'active' check (status in ('active', 'inactive', 'maintenance', 'disabled')),
    country_code      char(2)     not null references countries (code),
    city_id           uuid        references cities (id),
    carrier_id        uuid        references carriers (id),
    is_private        boolean     not null default false,
    -- what the device agent reports: whether it is up, its current public address, where its
    -- tunnel listens and where it takes commands (reset-ip)
    online            boolean     not null default false,
    public_ip         text,
    tunnel_port       int         check (tunnel_port between 1 and 65535),
    agent_url         text,
    max_ports         int         check (max_ports >= 1),
    online_since      timestamptz,
    last_heartbeat_at timestamptz,
    last_checked_at   timestamptz,
    -- live ports on the device, kept by the statements that place, move and end ports, so that a
    -- placement is one conditional update of this row
    live_ports        int         not null default 0 check (live_ports >= 0),
    exclusive_taken   boolean     not null default false,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now()
);
create index devices_placement on devices (country_code, is_private) where status = 'active' and online;

create table entitlements (
    user_id               uuid primary key,
    tenant_id             uuid        not null,
    slots_shared          int         not null default 0 check (slots_shared >= 0),
    slots_private         int         not null default 0 check (slots_private >= 0),
    traffic_shared_bytes  bigint      not null default 0,
    traffic_private_bytes bigint      not null default 0,
    as_of                 timestamptz,
    updated_at            timestamptz not null default now()
);

create table ports (
    id                    uuid primary key,
    user_id               uuid        not null,
    tenant_id             uuid        not null,
    device_id             uuid        not null references devices (id),
    server_id             uuid        not null references servers (id),
    name                  text        not null unique,
    display_name          text        not null,
    http_port             int         not null,
    socks_port            int         not null,
    proxy_login           text        not null check (proxy_login ~ '^[a-zA-Z0-9_-]{3,32}$'),
    -- AES-256-GCM, bound to the port's id (SealedBox); never stored or logged in the clear
    proxy_password_sealed text        not null,
    is_private            boolean     not null,
    exclusive             boolean     not null default false,
    os_fingerprint        text        not null default '',
    country_code          char(2)     not null references countries (code),
    city_id               uuid        references cities (id),
    carrier_id            uuid        references carriers (id),
    status                text        not null check (status in ('active', 'suspended', 'expired', 'deleted')),
    expires_at            timestamptz not null,
    rotation_token        text        not null unique check (rotation_token ~ '^[0-9a-f]{32}$'),
    rotation_count        int         not null default 0,
    last_rotated_at       timestamptz,
    used_traffic_bytes    bigint      not null default 0,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    ended_at              timestamptz
);
create unique index ports_http_port on ports (server_id, http_port) where status in ('active', 'suspended');
create unique index ports_socks_port on ports (server_id, socks_port) where status in ('active', 'suspended');
create unique index ports_login on ports (proxy_login) where status in ('active', 'suspended');
create index ports_owner on ports (user_id, tenant_id, created_at desc);
create index ports_device on ports (device_id) where status in ('active', 'suspended');
create index ports_expiring on ports (expires_at) where status in ('active', 'suspended');

create table rotations (
    id                   uuid primary key,
    port_id              uuid        not null references ports (id),
    from_device_id       uuid,
    to_device_id         uuid,
    from_ip              text,
    to_ip                text,
    trigger_type         text        not null check (trigger_type in ('manual', 'auto', 'token')),
    rotation_type        text        not null check (rotation_type in ('device_switch', 'airplane_mode')),
    success              boolean     not null,
    rotation_duration_ms int         not null,
    country_code         char(2),
    carrier              text,
    city                 text,
    created_at           timestamptz not null default now()
);
create index rotations_port on rotations (port_id, created_at desc);
