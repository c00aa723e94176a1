"""The API (issue 8 §3): FastAPI over the store, adding no rules of its own: what a person may do is
icass.store.accounts', what a change must satisfy is the bundle's readers' and the pipeline's."""
