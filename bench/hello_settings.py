"""The settings of the benchmarks' server: the project's own, and its URLs with one more, a JSON
hello (:mod:`hello_urls`). ``bench/voting_bench.py`` starts ``councils serve`` with these, so that
the same run measures, beside the casts, the cheapest answer Django gives through the same stack:
the floor under any endpoint of this server on this machine."""

from councils.settings import *  # noqa: F403 (the project's settings, unchanged)

ROOT_URLCONF = "hello_urls"
