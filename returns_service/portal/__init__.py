"""The customer's side: access to one order by its number and e-mail, and what can be returned."""
