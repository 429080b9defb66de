"""poisontui: data poisoning attacks and defences, side by side, in a terminal.

Importing the package is cheap: nothing here imports scikit-learn or Textual.
"""

__version__ = "0.1.0"
