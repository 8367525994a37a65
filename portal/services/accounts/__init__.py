"""Accounts: registration, sessions and API tokens, password reset, blocking,
closing the account, "Download my data", back-office edits of accounts."""
