"""HTTP routes, one APIRouter per area; thin: they call sync_server.db and the pipelines."""
