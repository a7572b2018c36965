"""Voting: polls on motions and elections, their electorates, participations, ballots and results.

The secret-poll cryptography lives in :mod:`councils.voting.crypto` (its own library, board and
commands); everything else of a poll's life is here: models, services (the only writers), selectors,
rules, the API router, pages and exports.
"""
