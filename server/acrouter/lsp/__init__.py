"""Thin LSP layer: converts protocol messages to domain calls and back."""
