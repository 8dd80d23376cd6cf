"""Settings for the test suite: development mode (DEBUG on, local keys), as the Makefile runs the project.

Tests of production behaviour (``check --deploy``, DEBUG off) run ``manage.py`` in a subprocess with their
own environment.
"""

import os

os.environ.setdefault("DEBUG", "1")
# The test runner turns settings.DEBUG off; the demo data's known passwords stay allowed for its tests.
os.environ.setdefault("DJANGO_ALLOW_KNOWN_PASSWORDS", "1")

from config.settings import *  # noqa: E402,F403
