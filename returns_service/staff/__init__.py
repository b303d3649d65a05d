"""The staff pages: sign-in, the review queue, returns, rules and numbers."""
