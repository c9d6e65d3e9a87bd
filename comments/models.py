"""Threaded comments on any content, with moderation."""
