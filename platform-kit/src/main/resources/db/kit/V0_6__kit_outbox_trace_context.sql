-- The trace an event was written in (W3C traceparent of the span current at the append) and the
-- request id of the HTTP request behind it: the relay publishes the event in a span of that trace
-- and hands both on as CloudEvents extensions (ce_traceparent, ce_requestid), so the consumers'
-- work joins the trace of the request that caused it. Null for rows written outside any span.
alter table outbox add column traceparent text;
alter table outbox add column request_id text;
