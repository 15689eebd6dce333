#!/usr/bin/env python
"""Django's manage.py; `zhixing` (zhixing/cli.py) is the same with friendlier command names."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhixing.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
