"""Benchmarks: synthetic businesses in vendor export formats, and the runner that times driftcheck on them."""
