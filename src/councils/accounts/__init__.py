"""Accounts: personal API tokens that let a person's scripts use the JSON API as that person."""
