"""Who is calling: staff users, API tokens and their roles."""
