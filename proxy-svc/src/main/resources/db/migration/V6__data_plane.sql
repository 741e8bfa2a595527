-- The data plane: a port may carry fewer connections than its server's defaults; traffic each user
-- carried as the data plane metered it (flushed windows), and the traffic cap billing's latest
-- entitlement gives: what billing said was left plus what had been metered when it said so.
alter table ports add column max_conn int check (max_conn between 1 and 100000);
alter table ports add column conn_lim int check (conn_lim between 1 and 100000);
alter table entitlements add column metered_shared_bytes bigint not null default 0;
alter table entitlements add column metered_private_bytes bigint not null default 0;
alter table entitlements add column traffic_cap_shared bigint;
alter table entitlements add column traffic_cap_private bigint;
create index ports_server_live on ports (server_id) where status in ('active', 'suspended');
