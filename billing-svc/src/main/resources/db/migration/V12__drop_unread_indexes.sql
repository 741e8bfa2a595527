-- Two indexes that no statement of the service reads, paid for on every hold and capture (a
-- journal row and two postings each): a wallet's balance is kept on its row, a user's journal is
-- read through journal_user, and postings are read by their journal entry (postings_journal).
-- Reconciliation reads whole tables and groups them, which needs neither.
drop index if exists journal_wallet;
drop index if exists postings_account;
