"""Tests that need a program outside Python (Chromium, Java) skip on a workstation without it, but
fail in CI (environment variable CI set), so CI cannot pass by skipping them."""

import os

import pytest


def unavailable(reason: str):
    if "CI" in os.environ:
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)
