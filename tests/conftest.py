"""Test-wide setup: hypothesis profiles and the ``fuzz`` marker.

Profiles (``HYPOTHESIS_PROFILE`` picks one; ``ci`` when unset):

* ``ci``: derandomised, so ``make test`` runs the same examples on every machine and a
  submission cannot fail by chance; no deadline (CI machines are busy); a failing
  example prints its reproduction blob.
* ``fuzz``: random, many more examples (``make fuzz``). Tests that pin
  ``@settings(max_examples=N)`` run ``10 * N`` examples, at most the profile's
  ``max_examples``; tests marked ``@pytest.mark.fuzz`` (heavy hostile inputs) run only
  here.

The profile is loaded here, before any test module is imported, because a
``@settings(...)`` decorator takes its unset values from the profile active when the
module is imported.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The CLI shows progress on stderr for steps longer than 2 s; on a busy test machine a
# small ingest can take that long, and tests that count stderr lines (one error line)
# must not see it. tests/test_progress.py turns it back on where it tests it.
os.environ.setdefault("POLICYKIT_PROGRESS", "off")

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile(
    "fuzz",
    derandomize=False,
    deadline=None,
    print_blob=True,
    max_examples=2000,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)
FUZZ = PROFILE == "fuzz"
#: How much a test's own max_examples grows under the fuzz profile.
FUZZ_SCALE = 10


def pytest_report_header(config):
    return f"hypothesis profile: {PROFILE}"


def pytest_collection_modifyitems(config, items):
    if not FUZZ:
        heavy = [item for item in items if item.get_closest_marker("fuzz")]
        if heavy:
            config.hook.pytest_deselected(items=heavy)
            items[:] = [item for item in items if not item.get_closest_marker("fuzz")]
        return
    ceiling = settings().max_examples
    for item in items:
        test = getattr(getattr(item, "obj", None), "__func__", getattr(item, "obj", None))
        pinned = getattr(test, "_hypothesis_internal_use_settings", None)
        if pinned is None or pinned.max_examples >= ceiling:
            continue
        # A pinned max_examples would otherwise win over the profile: scale it up and
        # drop a pinned derandomize, so fuzzing explores new examples on every run.
        test._hypothesis_internal_use_settings = settings(
            pinned,
            max_examples=min(ceiling, pinned.max_examples * FUZZ_SCALE),
            derandomize=False,
        )
