"""The engine: datasets, attacks, models, mitigations, metrics and experiments.

It imports numpy and scikit-learn (scikit-learn lazily, inside the functions that fit
or load; pandas and pyarrow only when a data file is read), never Textual or Rich, so
the terminal app, the command line and the tests all drive the same code.
"""
