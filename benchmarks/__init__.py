"""The performance suite: ``python -m benchmarks`` (or ``make bench``) measures the API on
PostgreSQL against its targets and against the raw limit of the deal list. Not part of the test
suite; see the README's "Benchmarks" section."""
