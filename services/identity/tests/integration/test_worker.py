import pytest
from faststream.asgi import AsgiFastStream
from habitat_identity.entrypoints.worker import create_worker

pytestmark = pytest.mark.integration


class TestWorker:
    async def test_worker_is_an_asgi_app_with_only_the_relay(self, settings):
        worker = create_worker(settings)
        assert isinstance(worker, AsgiFastStream)
        assert list(worker.broker.subscribers) == []
