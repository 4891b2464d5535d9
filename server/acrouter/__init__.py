"""ACRouter: route each coding request to the right LLM, verify it with your tests, learn."""

__version__ = "0.1.0"
