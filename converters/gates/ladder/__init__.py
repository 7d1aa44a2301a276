"""The gates, one module each; every module here defines ``GATE`` (a ``converters.gates.gate.Gate``).

The registry (``converters/gates/registry.py``) finds them here and orders them by number, cheapest first.
"""
