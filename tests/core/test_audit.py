import pytest

from tests.factories import MunicipalityFactory, UserFactory
from weerbaar.core.audit import record
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_record_keeps_actor_action_object_and_time() -> None:
    user = UserFactory(email="actor@example.nl")
    municipality = MunicipalityFactory(name="Delft", slug="delft")

    entry = record(user, "network.municipality.updated", municipality, {"name": ["a", "b"]})

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == user
    assert stored.actor_label == "actor@example.nl"
    assert stored.object_type == "network.municipality"
    assert stored.object_id == str(municipality.pk)
    assert stored.changes == {"name": ["a", "b"]}
    assert stored.created_at is not None


def test_audit_trail_survives_the_deletion_of_the_actor() -> None:
    user = UserFactory(email="gone@example.nl")
    entry = record(user, "something.done")
    user.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == "gone@example.nl"


def test_system_actions_are_labelled_system() -> None:
    assert record(None, "demo_data.loaded").actor_label == "system"
