"""Multi-step writes of the storyteller, one module per sub-domain (``storyteller.services.books``, ...)."""
