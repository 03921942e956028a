"""Flet screens: thin, one module per screen; they call app/ services only."""
