-- CoinGate callbacks prove themselves with the token we gave the order; it is kept with the payment.
alter table payments add column callback_token text;
