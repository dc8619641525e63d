"""Semantic product search for Chinese e-commerce.

The package is laid out by pipeline stage:

- ``search.text``: normalisation, jieba segmentation, dictionaries (the analyzer)
- ``search.understand``: query parsing (rules, language-model backends, grounding)
- ``search.retrieve``: BM25 sparse encoding, dense embedding, hybrid query building
- ``search.rank``: fusion, intent boosts, facets, explanations
- ``search.personal``: shopper behaviour events, pseudonyms, affinities, CF model versions,
  personalized reranking and recommendations
- ``search.store``: the vector store (embedded Qdrant Edge, Qdrant server) and the data directory
- ``search.api``: the FastAPI application

``search.engine`` runs the pipeline over them; ``search.versioned`` publishes index builds and
CF models atomically; ``search.errors`` is the error family every module raises from.

Nothing heavy happens at import time: models, stores and dictionaries are built
explicitly by the engine or the app's lifespan.
"""

__version__ = "0.1.0"
