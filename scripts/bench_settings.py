"""Settings of `make bench` alone: the project's settings (from the environment, as in
production) with the benchmark's URLconf, which adds the framework floor views.
scripts/bench.py selects them through DJANGO_SETTINGS_MODULE for every process it starts."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "scripts.bench_urls"

# The API's anonymous throttle (60 a minute per address) would turn the load into 429s: the
# benchmark measures the request itself (the throttle's own counting included).
OPEN311_ANONYMOUS_LIMIT = 10**9
