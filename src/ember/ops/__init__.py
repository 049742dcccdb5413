"""Differentiable operations, one small Function subclass each, grouped by kind."""
