"""The shared kernel: what more than one bounded context stands on, never one context's domain.

- ``infra``: the machinery (broker, databases, outbox and inbox, event retries, RPC with
  deadlines and the signed actor, object storage, logging, metrics, probes, the wire's
  models and errors). Every service imports it: change it with care.
- ``court``: the court's rules more than one service applies (案号, the court's clock,
  people's numbers, when a reading ends, 实名认证, how the copies of an application agree).
- ``testing``: hooks the failure tests arm; inert in production.
"""
