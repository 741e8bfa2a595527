-- A port's rotation settings: auto-rotation every interval_seconds, staying with the device's
-- carrier and city when asked, never onto an excluded device.
alter table ports add column auto_rotate boolean not null default false;
alter table ports add column rotate_interval_seconds int check (rotate_interval_seconds between 60 and 86400);
alter table ports add column match_carrier boolean not null default false;
alter table ports add column match_city boolean not null default false;
alter table ports add column excluded_device_ids uuid[] not null default '{}';
alter table ports add column next_auto_rotation_at timestamptz;
create index ports_auto_rotation on ports (next_auto_rotation_at) where auto_rotate and status = 'active';
