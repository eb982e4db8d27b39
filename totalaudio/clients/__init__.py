"""One module per external service: wraps its SDK with timeouts, pacing, retries and IntegrationError."""
