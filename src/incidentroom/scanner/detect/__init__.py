"""Finding personal data in text: the detectors, one hyperscan pass over them, the compiled core.

Kept light on purpose: importing a submodule (``vocab``, say, from the web app) must not
load hyperscan or compile anything.
"""
