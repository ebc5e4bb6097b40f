"""Case directory and lawyer–case binding (案件绑定)."""

from services.common.health import HealthMixin


class CaseBindingService(HealthMixin):
    name = "case_binding"
