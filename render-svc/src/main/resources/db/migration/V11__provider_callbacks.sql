-- A remote provider that signs its completion callbacks: where its public keys are (a JWKS of
-- Ed25519 keys, as fal publishes). With it set, a submit names our callback address and the worker
-- waits for the signed callback instead of asking every half second; without it we poll as before.
alter table providers add column callback_jwks_url text;

-- Where the provider lists its models with their input schemas and prices (fal's platform API,
-- /models and /models/pricing): an administrator's sync-catalog reads it.
alter table providers add column catalog_url text;

-- When the provider's verified callback for the job's request arrived (null: none yet, or polled).
alter table jobs add column provider_callback_at timestamptz;

-- A callback names the provider's request id; it finds its job through this.
create index jobs_provider_request on jobs (provider_request_id) where provider_request_id is not null;
