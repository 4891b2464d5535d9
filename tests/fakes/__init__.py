"""Test doubles shared by the test suites (fake OpenAI-compatible server, ...)."""
