"""Sub-commands of ``sinkplan`` that live in their own modules; each exposes ``register(app)``."""

MODULES = ("report",)
