from services.applications.models import Base
from services.common.infra.migrate import run_env

run_env(Base.metadata)
