"""Financing — 产融对接 (PRODUCT C7): rule-defined whitelists, a transparent credit scorecard, loan products and
financing requests between enterprises and banks."""
