"""Reports: one module per output format, each rendering a ``driftcheck.scan/1`` dict."""
