-- The model a hold paid for (render passes it, or its completed event names it): usage per model.
alter table holds add column model_id text;
