"""Speed and scale measurements of upgrade-sim, run by `make bench` (see `run.py`)."""
