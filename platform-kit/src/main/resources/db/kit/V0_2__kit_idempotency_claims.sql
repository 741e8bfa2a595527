-- Each request claims an Idempotency-Key under an id of its own; its answer (stored in the
-- transaction of its effect) is written only under that claim, so a request that outlived its
-- lease and was taken over cannot commit a second effect.
alter table idempotency_keys add column claim uuid;
