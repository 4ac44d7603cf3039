"""The domain core: records, rules, the work-order workflow and the wire format.

Standard library only; the phone and the server both build on it.
"""
