"""Uploads and downloads go through Django's storage API, so another backend (an object store on
several app servers) works unchanged: here Django's in-memory storage instead of the folder."""

import pytest
from django.urls import reverse

from sopeli.projects.models import Receipt
from sopeli.projects.testing import pdf, signed_contract
from sopeli.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def memory_storage(settings, tmp_path):
    # Changing STORAGES resets Django's storage handler and default_storage (django.test.signals).
    settings.MEDIA_ROOT = tmp_path / "never-used"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def test_a_receipt_uploaded_and_downloaded_through_another_storage_backend(client, lag, memory_storage, tmp_path):
    from django.core.files.storage import default_storage

    grantee = UserFactory(email="grantee@example.ge")
    contract = signed_contract(lag, user=grantee)
    client.force_login(grantee)
    upload = pdf("invoice.pdf")
    sent = upload.read()
    upload.seek(0)
    answer = client.post(reverse("projects:my_claim_new", args=[lag.slug, contract.pk]),
                         {"rows": "1", "line-0-description": "Windows", "line-0-amount": "2500.00", "line-0-receipt": upload})
    assert answer.status_code == 302
    receipt = Receipt.objects.get(line__claim__contract=contract)
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage" and default_storage.exists(receipt.file.name)
    assert not (tmp_path / "never-used").exists()  # nothing touched the local folder

    download = client.get(reverse("projects:file", args=[lag.slug, "receipt", receipt.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == sent

    client.force_login(UserFactory(email="neighbour@example.ge"))
    assert client.get(reverse("projects:file", args=[lag.slug, "receipt", receipt.pk])).status_code == 404
