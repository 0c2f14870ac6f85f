"""Helpers of scripts/make_scans.py: content, layout, degradation."""
