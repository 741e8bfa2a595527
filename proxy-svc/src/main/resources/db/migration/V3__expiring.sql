-- port.expiring is said once per port, a day ahead.
alter table ports add column expiring_announced_at timestamptz;
create index ports_unannounced on ports (expires_at) where status in ('active', 'suspended') and expiring_announced_at is null;
