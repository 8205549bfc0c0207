"""Tests of team-pursuit-kg, one module per pipeline module."""
