"""What the pytest side of the reliability suite shares: builders that skip
(or, under CI=true, fail) when a tool is missing, naming its Debian package."""

import os

import pytest

import build
import suite


def _missing(err):
    if os.environ.get("CI") == "true":
        pytest.fail(str(err))
    pytest.skip(str(err))


def gcc_builder(tmp_path_factory):
    try:
        return build.Builder(tmp_path_factory.mktemp("reliability"))
    except build.Missing as err:
        _missing(err)


def tsan_builder(tmp_path_factory):
    try:
        return suite.tsan_builder(str(tmp_path_factory.mktemp("reliability-tsan")))
    except build.Missing as err:
        _missing(err)


def require(tool, package):
    try:
        return build.require(tool, package)
    except build.Missing as err:
        _missing(err)
