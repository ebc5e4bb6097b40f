from services.common.migrate import run_env
from services.dossier.models import Base

run_env(Base.metadata)
