-- Providers: where a model's work is done. 'local' renders on this machine; a 'fal' provider is a
-- remote fal-style queue (submit, status, result, cancel) whose outputs we re-host as our assets.
-- A model is offered only while its provider exists and is enabled. The API key is sealed
-- (AES-GCM under tollgate.render.data-key) and never shown again.
create table providers (
    id             uuid        primary key,
    name           text        not null unique check (name ~ '^[a-z0-9-]+$' and length(name) <= 64),
    type           text        not null check (type in ('local', 'fal')),
    display_name   text        not null,
    base_url       text,
    api_key_sealed text,
    enabled        boolean     not null default true,
    priority       int         not null default 100 check (priority between 0 and 9999),
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    check (type = 'local' or base_url is not null)
);
insert into providers (id, name, type, display_name, priority)
values ('00000000-0000-4000-8000-000000000001', 'local', 'local', 'Local renderers', 0);

-- A remote model's id at its provider (ours is namespaced, theirs is what the provider calls it).
alter table models add column provider_model text;

-- The provider's id for a job's request, written before the worker waits on it: a retried attempt
-- resumes polling that request instead of submitting (and paying for) a second one.
alter table jobs add column provider_request_id text;
-- The failure's category (for example provider_error, provider_unavailable, input_rejected).
alter table jobs add column error_code text;

-- Models served by the provider sandbox's fal-style queue; offered only where a 'sandbox' provider
-- is configured (the local and test profiles).
insert into models (model_id, display_name, category, lab, description, tags, provider, renderer, provider_model, price_unit,
                    unit_price_micros, input_schema, popularity) values
('sandbox/fast-image', 'Sandbox fast image', 'text-to-image', 'tollgate-sandbox',
 'A remote fal-style model in the provider sandbox: queued, run and re-hosted like any remote model.', '{image,remote}',
 'sandbox', 'fal-queue', 'tollgate-sandbox/fast-image', 'images', 3000000,
 '{"type": "object", "additionalProperties": false, "required": ["prompt"], "properties": {
   "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
   "seed": {"type": "integer", "minimum": 0, "maximum": 2147483647},
   "width": {"type": "integer", "minimum": 64, "maximum": 2048, "default": 512},
   "height": {"type": "integer", "minimum": 64, "maximum": 2048, "default": 512},
   "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1}}}', 30),
('sandbox/failing-image', 'Sandbox failing image', 'text-to-image', 'tollgate-sandbox',
 'A remote model whose every request fails at the provider: how a provider failure looks.', '{image,remote}',
 'sandbox', 'fal-queue', 'tollgate-sandbox/failing-image', 'images', 3000000,
 '{"type": "object", "additionalProperties": false, "required": ["prompt"], "properties": {
   "prompt": {"type": "string", "minLength": 1, "maxLength": 2000},
   "num_images": {"type": "integer", "minimum": 1, "maximum": 4, "default": 1}}}', 0);
