"""Review (审查): queue, decisions, on-site arrangements. Its domain comes with the review issue."""

from services.common.health import HealthMixin


class ReviewService(HealthMixin):
    name = "review"
