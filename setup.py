"""Only for ``scrapyd-deploy``, which runs ``setup.py bdist_egg`` (and would otherwise write
its own setup.py here). Everything is configured in pyproject.toml, including the
``scrapy`` entry point (``settings = newsbot.settings``) and the packaged template."""

from setuptools import setup

setup()
