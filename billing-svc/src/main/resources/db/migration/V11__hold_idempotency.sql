-- A hold is its own idempotency record: the key its service sent and the fingerprint of the
-- request, so placing a hold is one statement instead of a claim, the hold and a stored response.
alter table holds add column idempotency_key text;
alter table holds add column request_fingerprint text;
create unique index holds_idempotency on holds (service, idempotency_key) where idempotency_key is not null;
