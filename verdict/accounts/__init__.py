"""Accounts: users, passwords, API tokens, sessions and the login rate limit."""
