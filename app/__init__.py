"""Courtside domain core: the case log, rules, crypto, i18n, leaflet. Knows nothing of screens or HTTP."""
