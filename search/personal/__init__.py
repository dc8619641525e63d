"""Personalization: behaviour events, pseudonymous shopper profiles, the CF model, reranking,
recommendations and forgetting. See ``docs/personalization.md``.

Modules: ``config`` (configs/personalization.yaml), ``pseudonym`` (keyed hashing of shopper
ids), ``events`` (validation of incoming events), ``store`` (SQLite events, profiles,
affinities), ``scoring`` and ``recommend`` (pure scoring), ``catalog`` (brand/category keys of
products), ``model`` (CF model versions), ``service`` (what the API and the search pipeline use).
"""
