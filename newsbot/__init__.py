"""newsbot: collect Naver News into a clean, verifiable Markdown corpus."""

__version__ = "0.1.0"
