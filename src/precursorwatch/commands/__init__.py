"""Command-line groups, one module per group; ``precursorwatch.cli`` assembles them.

These modules are an edge: they parse options, call one core function and write the result.
"""
