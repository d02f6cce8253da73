"""Thin handlers, one module per feature: parse, call the layer below, render."""
