"""Infrastructure every service stands on: the broker, databases, messaging (outbox, inbox,
retries), RPC with deadlines, object storage, logging, metrics and probes, the wire's models and
errors. Change with care: every service imports these.
"""
