"""Settings of `make bench` alone: the project's settings (from the environment, as in
production) with the benchmark's URLconf, which adds the framework floor views.
scripts/bench.py selects them through DJANGO_SETTINGS_MODULE for every process it starts."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "scripts.bench_urls"
