"""newsbot: collect Naver News into a clean, verifiable Markdown corpus."""
