"""Run every benchmark; exit non-zero if one misses its target."""

import sys

from bench import rules_bench, simulation_db_bench

sys.exit(max(rules_bench.main(), simulation_db_bench.main()))
