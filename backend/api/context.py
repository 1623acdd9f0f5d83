"""The typed per-request context: settings, the viewer and fresh loaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from backend.api.loaders import Loaders
from backend.config import Settings
from backend.services.viewer import RequestMeta, Viewer


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    meta: RequestMeta
    viewer: Viewer | None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Fresh per request: a DataLoader caches what it loaded.
        self.loaders = Loaders(self.settings)

    def require_viewer(self) -> Viewer:
        # Fields that need a viewer carry IsAuthenticated; this narrows the type.
        assert self.viewer is not None
        return self.viewer
