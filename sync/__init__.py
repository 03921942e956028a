"""The sync protocol: the tablet's client (outbox push, config pull) and the site server."""
