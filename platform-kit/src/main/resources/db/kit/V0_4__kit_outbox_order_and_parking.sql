-- The relay publishes in the order rows were appended (seq, assigned at insert: a writer that waited
-- for an aggregate's lock appends after the one that held it), and parks a row Kafka keeps refusing
-- (rejections) instead of retrying it forever.
create sequence outbox_seq;
alter table outbox add column seq bigint;
update outbox set seq = o.n from (select id, row_number() over (order by created_at, id) as n from outbox) o
 where outbox.id = o.id;
select setval('outbox_seq', coalesce((select max(seq) from outbox), 0) + 1, false);
alter table outbox alter column seq set default nextval('outbox_seq');
alter table outbox alter column seq set not null;
alter sequence outbox_seq owned by outbox.seq;

alter table outbox add column rejections int not null default 0;   -- times Kafka (or the schema check) refused this row itself
alter table outbox add column parked_at timestamptz;               -- set after tollgate.outbox.relay.max-rejections

drop index outbox_unsent;
create index outbox_unsent on outbox (seq) where sent_at is null and parked_at is null;
create index outbox_parked on outbox (parked_at) where parked_at is not null and sent_at is null;
