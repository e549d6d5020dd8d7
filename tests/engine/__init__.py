"""Tests of the rule engine, the rules, the schema and fixes (images off)."""
