"""Every write of the alerts app: `alerts` (compose, approve, publish, follow up) and
`preferences` (channels, quiet hours, unsubscribe, opt-out)."""
