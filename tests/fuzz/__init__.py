"""The schemathesis run (``make fuzz``, ``.ci/fuzz``): requests generated from ``openapi.yaml``
against the app served as in production, authenticated as a delegation editor."""
