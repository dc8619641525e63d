"""Search log and analytics: what shoppers searched, what they got, and what they clicked and bought.

- :mod:`search.analytics.records`  the rows: one per search, one per attributed event
- :mod:`search.analytics.store`    every SQL statement (schema, writes, retention, aggregations)
- :mod:`search.analytics.searchlog` the bounded queue and background writer the API logs through
- :mod:`search.analytics.summary`  the analytics document (``GET /admin/analytics``, ``search analytics``)
- :mod:`search.analytics.stats`    confidence intervals and significance tests (pure)
- :mod:`search.analytics.report`   the Markdown/HTML report with plots
"""
