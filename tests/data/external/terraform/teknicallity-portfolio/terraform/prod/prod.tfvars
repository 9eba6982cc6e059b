zone_id = "56a018d6b13f24959d45b207d474ac92"
account_id = "4f568ba8091db626220d0bd9c4911362"
subdomain = "josh"
domain = "cacaw.group"
