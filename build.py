#!/usr/bin/env python3
"""Build a book's editions: python build.py [all|pdf|epub|print] [--book PATH] [--out DIR]."""

import sys

from pressroom.cli import main

if __name__ == "__main__":
    sys.exit(main())
