"""The platform-neutral quiz core: pure rules, no I/O, no clock reads.

Only the standard library and ``fsrs`` may be imported here (enforced by import-linter).
"""
