from services.case_binding.models import Base
from services.common.migrate import run_env

run_env(Base.metadata)
