"""Watching for the attacker: indicators, log sweeps, Sigma rules, evidence and custody (issue 17)."""
