"""`python -m pyip.extensions`: regenerate the index of the modules' lint facts (pyip/extensions/_history_index.py)."""

from pyip import extensions

extensions.write_history_index()
