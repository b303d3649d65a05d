"""Run every benchmark; exit non-zero if one misses its target."""

import sys

from bench import rules_bench

sys.exit(rules_bench.main())
