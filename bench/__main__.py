"""Run every benchmark; exit non-zero if one misses its target.

``python -m bench [--seconds 15] [--report-only]``: the flags go to the HTTP bench.
"""

import sys

from bench import http, rules_bench, simulation_db_bench

statuses = [rules_bench.main(), simulation_db_bench.main(), http.main(sys.argv[1:])]
sys.exit(0 if "--report-only" in sys.argv[1:] else max(statuses))
