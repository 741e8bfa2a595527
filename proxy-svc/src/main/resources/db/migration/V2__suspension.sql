-- Traffic allowances billing reported spent: a kind that is spent suspends the user's ports of
-- that kind (and a port made meanwhile starts suspended) until a purchase restores it.
alter table entitlements add column exhausted_shared boolean not null default false;
alter table entitlements add column exhausted_private boolean not null default false;
alter table ports add column suspended_reason text;
