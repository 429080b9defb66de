"""Reusable widgets: parameter forms, charts, the navigation bar and the run status line."""
