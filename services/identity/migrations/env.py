from services.common.migrate import run_env
from services.identity.models import Base

run_env(Base.metadata)
