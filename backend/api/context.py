"""The typed per-request context: settings, the caller and fresh loaders."""

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from backend.api.loaders import Loaders
from backend.config import Settings
from backend.services.caller import ApiClientCaller, Caller
from backend.services.viewer import RequestMeta, Viewer


@dataclass
class Context:
    request: Request
    response: Response
    settings: Settings
    meta: RequestMeta
    # The person signed in (a cookie or a bearer session); None for an API client.
    viewer: Viewer | None
    # Who is calling: that person, or an API client; None when signed out.
    api_client: ApiClientCaller | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        # Fresh per request: a DataLoader caches what it loaded.
        self.loaders = Loaders(self.settings)

    @property
    def caller(self) -> Caller | None:
        return self.viewer if self.viewer is not None else self.api_client

    def require_viewer(self) -> Viewer:
        # Fields that need a person carry IsAuthenticated; this narrows the type.
        assert self.viewer is not None
        return self.viewer

    def require_caller(self) -> Caller:
        # Fields that any caller may use carry allowing(...); this narrows the type.
        caller = self.caller
        assert caller is not None
        return caller
