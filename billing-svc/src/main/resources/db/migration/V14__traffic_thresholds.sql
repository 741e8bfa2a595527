-- The highest traffic threshold (0, 50, 80 or 100 percent of the allowance of a kind) announced
-- per user, so each level fires once per crossing; a purchase that brings the share back below a
-- level lowers it again. The allowance is all traffic of the kind granted so far: what is left plus
-- what was used of it (used beyond it is overage). Users of before start at their current level,
-- so the first window after this migration does not announce crossings long past.
alter table entitlements add column threshold_shared smallint not null default 0
    check (threshold_shared in (0, 50, 80, 100));
alter table entitlements add column threshold_private smallint not null default 0
    check (threshold_private in (0, 50, 80, 100));

update entitlements set
    threshold_shared = case
        when traffic_shared_bytes + used_shared_bytes - overage_shared_bytes <= 0 then 0
        when traffic_shared_bytes = 0 then 100
        when (used_shared_bytes - overage_shared_bytes) * 100 >= (traffic_shared_bytes + used_shared_bytes - overage_shared_bytes) * 80 then 80
        when (used_shared_bytes - overage_shared_bytes) * 100 >= (traffic_shared_bytes + used_shared_bytes - overage_shared_bytes) * 50 then 50
        else 0 end,
    threshold_private = case
        when traffic_private_bytes + used_private_bytes - overage_private_bytes <= 0 then 0
        when traffic_private_bytes = 0 then 100
        when (used_private_bytes - overage_private_bytes) * 100 >= (traffic_private_bytes + used_private_bytes - overage_private_bytes) * 80 then 80
        when (used_private_bytes - overage_private_bytes) * 100 >= (traffic_private_bytes + used_private_bytes - overage_private_bytes) * 50 then 50
        else 0 end;
