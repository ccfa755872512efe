"""The rule expression language: parsed into a small typed tree, never ``eval``-ed."""

from srdi.rules_engine.expr.nodes import Node
from srdi.rules_engine.expr.parser import parse, parse_literal
from srdi.rules_engine.expr.types import Type, check

__all__ = ["Node", "Type", "check", "parse", "parse_literal"]
