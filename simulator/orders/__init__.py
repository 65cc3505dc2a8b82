"""Orders (api.md 1.4), read records -> rules -> render -> endpoints: `records` (the one owner of the
order kind), `lines` (the rules that check purchase lines, shared with carts and subscriptions), `rules`
(places, lists, provisions and cancels orders), `render` (the wire shapes), `endpoints` (the request
models and the routes)."""
