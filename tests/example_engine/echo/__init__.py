"""Echo: the smallest zero-shot engine, kept in the tests to show that an engine is its own package alone.

Copied into voxnb/engines/echo/ it is found, listed and served like any other engine (tests/test_example_engine.py).
It speaks a hum that follows the text's letters at the reference's pitch: nothing here is a model.
"""
