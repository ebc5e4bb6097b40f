"""The shared kernel: infrastructure and court-wide rules, never one context's domain."""
