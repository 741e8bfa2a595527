-- A request's own webhook: where to send it and for which events (start, output, logs, completed).
alter table jobs add column webhook_url text;
alter table jobs add column webhook_events text[];
alter table jobs add constraint jobs_webhook_events_with_url check ((webhook_url is null) = (webhook_events is null));
