"""Customer e-mail (Japanese and English), its log, and signed outbound webhooks."""
