-- When a device went down, so that its ports move to another device once it has been gone long
-- enough (a short drop, a reboot, keeps them where they are), and the move in a port's history.
alter table devices add column offline_since timestamptz;
update devices set offline_since = coalesce(last_heartbeat_at, updated_at) where not online;
create index devices_lost on devices (offline_since) where not online;

alter table rotations drop constraint rotations_trigger_type_check;
alter table rotations add constraint rotations_trigger_type_check check (trigger_type in ('manual', 'auto', 'token', 'failover'));
