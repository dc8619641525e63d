"""Autocomplete: completions from the shop's query log and the catalog, typed as characters or pinyin."""
