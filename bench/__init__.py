"""Performance benchmarks of Ruamkit on a large, generated municipality (`python -m bench`)."""
