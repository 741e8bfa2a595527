-- Bandwidth mail (traffic at 50, 80 and 100 % of the allowance) is opt-in: off until switched on.
alter table email_preferences add column bandwidth boolean not null default false;
