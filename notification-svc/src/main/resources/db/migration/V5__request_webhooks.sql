-- Requests' own webhooks (render's webhook_url): each user has one hidden signer endpoint whose
-- whsec_ secret signs them (GET /v1/webhooks/default/secret); each delivery carries its own URL.
-- Such deliveries are retried like any other, but a failing URL never switches the signer off.
alter table webhook_endpoints add column kind text not null default 'endpoint' check (kind in ('endpoint', 'request'));
create unique index webhook_endpoints_request_signer on webhook_endpoints (tenant_id, user_id) where kind = 'request';
alter table webhook_deliveries add column url text;
