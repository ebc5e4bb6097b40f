"""Electronic dossiers, reading grants, links and the access log."""

from services.common.health import HealthMixin


class DossierService(HealthMixin):
    name = "dossier"
