-- A job that has started runs to its end (a cancel ends only queued jobs), so nothing asks a
-- worker to stop any more.
alter table jobs drop column cancel_requested;
