"""The engine: datasets, attacks, models, mitigations, metrics and experiments.

It imports numpy and scikit-learn only (scikit-learn lazily, inside the functions
that fit or load), never Textual or Rich, so the terminal app, the command line
and the tests all drive the same code.
"""
