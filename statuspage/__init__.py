"""The status page's pure core: its vocabulary (Statuspage v2's), the page's state as plain data, and what
a caller is told of it. No Flask, no database, no network: `router/status/` gathers, stores and serves."""
