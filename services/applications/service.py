"""Dossier-reading applications (阅卷申请) and their materials."""

from services.common.health import HealthMixin


class ApplicationsService(HealthMixin):
    name = "applications"
