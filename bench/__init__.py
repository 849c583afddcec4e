"""The live-voting load benchmark (`make bench`, `make bench-scaleout`); see bench/RESULTS.md."""
