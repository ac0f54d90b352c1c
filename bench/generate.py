#!/usr/bin/env python
"""Generate the benchmark dataset: `bench/generate.py [--articles N] [--seed S]` (DATABASE_URL picks the database)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

from django.core.management import execute_from_command_line  # noqa: E402

execute_from_command_line(["manage.py", "generate_dataset", *sys.argv[1:]])
