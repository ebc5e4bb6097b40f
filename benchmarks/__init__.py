"""Benchmarks: each module is runnable (`python -m benchmarks.<name>`) and prints numbers."""
