from services.case_binding.models import Base
from services.common.infra.migrate import run_env

run_env(Base.metadata)
