"""sohoa: digitize Vietnamese Party reports into clean, searchable, structured records."""

__version__ = "0.1.0"
