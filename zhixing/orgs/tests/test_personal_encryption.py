"""身份证号 and 手机号 encrypted at rest (core/crypto.py, core/fields.py): what the database holds, look-ups by the
keyed hash, the import's de-duplication, a wrong key, the data migration and key rotation."""

from __future__ import annotations

import importlib
import io
import types
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from zhixing.core import clock, crypto
from zhixing.core.bulk import insert_many
from zhixing.core.models import AuditEvent, AuditSecret
from zhixing.orgs import services
from zhixing.orgs.models import Person
from zhixing.orgs.tests.xlsx_helpers import id_number, people_file, person_row
from zhixing.orgs.xlsx import organisations as orgs_xlsx
from zhixing.testing import World, person

ID_A = "11010519491231002X"  # world.person_a
MOBILE_A = "13800000001"


def raw(pk: int) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, mobile, id_number_hash, mobile_hash FROM orgs_person WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def all_raw_text() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile FROM orgs_person")
        return " ".join(str(v) for row in cursor.fetchall() for v in row)


def test_the_column_holds_no_plaintext_and_the_model_reads_it_back(world: World) -> None:
    idn, mobile, idn_hash, mobile_hash = raw(world.person_a.pk)
    assert ID_A not in idn and MOBILE_A not in mobile
    assert idn.startswith(f"{crypto.DEFAULT_ALGORITHM}:v1:") and mobile.startswith(
        f"{crypto.DEFAULT_ALGORITHM}:v1:"
    )
    assert len(idn_hash) == 64 and idn_hash == crypto.lookup_hash("id_number", ID_A)
    assert mobile_hash == crypto.lookup_hash("mobile", MOBILE_A)
    fresh = Person.objects.get(pk=world.person_a.pk)
    assert (fresh.id_number, fresh.mobile) == (ID_A, MOBILE_A)
    assert Person.objects.filter(pk=world.person_a.pk).values_list("id_number", "mobile").get() == (
        ID_A,
        MOBILE_A,
    )
    # empty values stay empty, no hash
    assert raw(world.person_a2.pk) == (None, "", None, None)


def test_sm4_gcm_is_used_where_openssl_offers_it() -> None:
    assert (crypto.SM4 if crypto.SM4_AVAILABLE else crypto.AES) == crypto.DEFAULT_ALGORITHM
    for alg in [crypto.AES, *([crypto.SM4] if crypto.SM4_AVAILABLE else [])]:
        sealed = crypto.encrypt("13800000001", "orgs.person.mobile", algorithm=alg)
        assert (
            sealed.startswith(f"{alg}:v1:") and crypto.decrypt(sealed, "orgs.person.mobile") == "13800000001"
        )
        # the same value twice: different ciphertexts (random nonce)
        assert sealed != crypto.encrypt("13800000001", "orgs.person.mobile", algorithm=alg)


def test_a_ciphertext_moved_to_another_column_or_altered_is_refused() -> None:
    sealed = crypto.encrypt("13800000001", "orgs.person.mobile")
    with pytest.raises(crypto.DataKeyError, match="解密失败"):
        crypto.decrypt(sealed, "orgs.person.id_number")
    tampered = sealed[:-6] + ("AAAA" if sealed[-6:-2] != "AAAA" else "BBBB") + sealed[-2:]
    with pytest.raises(crypto.DataKeyError):
        crypto.decrypt(tampered, "orgs.person.mobile")


def test_lookup_and_duplicate_check_by_hash(world: World) -> None:
    assert Person.objects.with_id_number(ID_A).get() == world.person_a
    assert Person.objects.filter(mobile_hash=crypto.lookup_hash("mobile", MOBILE_A)).get() == world.person_a
    assert not Person.objects.with_id_number("110105199001010010").exists()
    with pytest.raises(ValidationError) as exc:
        services.create_person(
            by=None, name="张三二", branch=world.branch_a2, today=clock.today(), id_number=ID_A
        )
    assert "已登记" in str(exc.value.message_dict["id_number"])
    # and the database refuses a duplicate hash even behind the services' back
    twin = Person(name="重复", gender="M", branch=world.branch_a2, id_number=ID_A)
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - IntegrityError on every backend
        twin.save()


def test_value_lookups_on_the_encrypted_column_fail_loudly(world: World) -> None:
    with pytest.raises(FieldError, match="加密存储"):
        list(Person.objects.filter(id_number=ID_A))
    with pytest.raises(FieldError):
        list(Person.objects.filter(mobile__startswith="138"))
    assert Person.objects.filter(mobile="").count() == 1  # person_a2 has none
    assert Person.objects.filter(id_number__isnull=True).count() == 2


def test_update_paths_keep_the_hash_in_step(world: World) -> None:
    services.update_person(world.person_a, by=None, today=clock.today(), mobile="13811112222")
    assert raw(world.person_a.pk)[3] == crypto.lookup_hash("mobile", "13811112222")
    Person.objects.filter(pk=world.person_b.pk).update(mobile="13933334444")
    assert raw(world.person_b.pk)[3] == crypto.lookup_hash("mobile", "13933334444")
    p = Person.objects.get(pk=world.person_a2.pk)
    p.mobile = "13755556666"
    Person.objects.bulk_update([p], ["mobile"])
    assert raw(p.pk)[3] == crypto.lookup_hash("mobile", "13755556666")
    p.mobile = "13755557777"
    p.save(update_fields=["mobile"])
    assert raw(p.pk)[3] == crypto.lookup_hash("mobile", "13755557777")
    assert "1375555" not in all_raw_text()


def test_bulk_inserts_encrypt_and_hash(world: World) -> None:
    idn = id_number("19800101", 11)
    with transaction.atomic():
        insert_many(
            Person,
            [Person(name="批量", gender="M", branch=world.branch_a1, id_number=idn, mobile="13600000000")],
        )
    Person.objects.bulk_create(
        [Person(name="批量二", gender="F", branch=world.branch_a1, mobile="13600000001")]
    )
    text = all_raw_text()
    assert idn not in text and "13600000000" not in text and "13600000001" not in text
    assert Person.objects.with_id_number(idn).get().mobile == "13600000000"
    assert Person.objects.get(name="批量二").mobile_hash == crypto.lookup_hash("mobile", "13600000001")


def test_audit_trail_masks_the_decrypted_values_and_not_the_hashes(world: World) -> None:
    ev = AuditEvent.objects.get(action="create", object_id=str(world.person_a.pk), object_type="orgs.person")
    assert ev.changes["id_number"] == [None, "110***********002X"]
    assert ev.changes["mobile"] == [None, "138****0001"]
    assert "id_number_hash" not in ev.changes and "mobile_hash" not in ev.changes


def test_import_still_deduplicates_by_id_number(world: World) -> None:
    report = orgs_xlsx.import_people(
        people_file(
            [
                person_row("张三", idn=ID_A, 手机号="13822223333"),
                person_row("新人", idn=id_number("19900101", 21)),
            ]
        ),
        by=None,
        today=clock.today(),
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (1, 1)
    assert Person.objects.with_id_number(ID_A).get().mobile == "13822223333"
    assert raw(world.person_a.pk)[3] == crypto.lookup_hash("mobile", "13822223333")
    assert "13822223333" not in all_raw_text()


def test_wrong_key_is_a_clear_error(world: World, settings: Any) -> None:
    settings.ZHIXING_DATA_KEY = f"lookup:{'ab' * 32},k9:{'cd' * 32}"
    with pytest.raises(crypto.DataKeyError, match="数据密钥“.+”不在密钥环中"):
        Person.objects.get(pk=world.person_a.pk)
    current = crypto.keyring().current
    settings.ZHIXING_DATA_KEY = (
        f"lookup:{'ab' * 32},{crypto.key_id_of(raw(world.person_a.pk)[0])}:{'cd' * 32}"
    )
    assert current == "k9"
    with pytest.raises(crypto.DataKeyError, match="解密失败.*密钥与加密时所用的不同"):
        Person.objects.get(pk=world.person_a.pk)


def test_key_file_is_created_0600_with_both_keys(settings: Any, tmp_path: Any) -> None:
    settings.TESTING = False
    settings.ZHIXING_DATA_KEY = ""
    settings.ZHIXING_DATA_KEY_FILE = tmp_path / "data.key"
    ring = crypto.keyring()
    assert (settings.ZHIXING_DATA_KEY_FILE.stat().st_mode & 0o777) == 0o600
    assert ring.current == "k1" and len(ring.lookup) == 32
    assert crypto.decrypt(crypto.encrypt("x", "t"), "t") == "x"


def test_data_migration_encrypts_plaintext_rows_and_back(world: World) -> None:
    migration = importlib.import_module("zhixing.orgs.migrations.0002_encrypt_personal_data")
    editor = types.SimpleNamespace(connection=connection)
    migration.decrypt_rows(None, editor)
    assert raw(world.person_a.pk) == (ID_A, MOBILE_A, None, None)
    assert Person.objects.get(pk=world.person_a.pk).id_number == ID_A  # plaintext left over still reads
    migration.encrypt_rows(None, editor)
    idn, mobile, idn_hash, _ = raw(world.person_a.pk)
    assert ID_A not in idn and MOBILE_A not in mobile and idn_hash == crypto.lookup_hash("id_number", ID_A)
    assert Person.objects.with_id_number(ID_A).get().mobile == MOBILE_A


def test_rotate_data_key_reencrypts_under_a_new_key(world: World, settings: Any, tmp_path: Any) -> None:
    migration = importlib.import_module("zhixing.orgs.migrations.0002_encrypt_personal_data")
    editor = types.SimpleNamespace(connection=connection)
    migration.decrypt_rows(None, editor)  # plaintext, then encrypted under the key file's k1
    # the audit trail's raw values were encrypted under the suite's derived key, which this test leaves behind
    AuditSecret.objects.all().delete()
    settings.TESTING = False
    settings.ZHIXING_DATA_KEY = ""
    settings.ZHIXING_DATA_KEY_FILE = tmp_path / "data.key"
    migration.encrypt_rows(None, editor)
    assert crypto.key_id_of(raw(world.person_a.pk)[0]) == "k1"
    hashes = raw(world.person_a.pk)[2:]
    call_command("rotate_data_key", stdout=io.StringIO())
    lines = settings.ZHIXING_DATA_KEY_FILE.read_text().split()
    assert [line.split(":")[0] for line in lines] == ["lookup", "k2", "k1"]
    assert (settings.ZHIXING_DATA_KEY_FILE.stat().st_mode & 0o777) == 0o600
    assert crypto.key_id_of(raw(world.person_a.pk)[0]) == "k2"
    assert crypto.key_id_of(raw(world.person_a.pk)[1]) == "k2"
    assert raw(world.person_a.pk)[2:] == hashes  # the lookup key stays: hashes unchanged
    fresh = Person.objects.get(pk=world.person_a.pk)
    assert (fresh.id_number, fresh.mobile) == (ID_A, MOBILE_A)
    out = io.StringIO()
    call_command("rotate_data_key", "--reencrypt-only", stdout=out)
    assert "共重新加密 0 项" in out.getvalue()


def test_rotate_refuses_to_edit_an_environment_key(settings: Any) -> None:
    settings.ZHIXING_DATA_KEY = f"lookup:{'ab' * 32},k1:{'cd' * 32}"
    with pytest.raises(CommandError, match="环境变量"):
        call_command("rotate_data_key", stdout=io.StringIO())


def test_person_pages_and_api_still_show_decrypted_values(world: World) -> None:
    page = world.client(world.dept_a_secretary).get(f"/people/{world.person_a.pk}/").content.decode()
    assert ID_A in page and MOBILE_A in page
    api = world.client(world.dept_b_secretary).get(f"/api/v1/people/{world.person_b.pk}").json()
    assert api["mobile"] == "13900000002"
    other = person("赵六", world.branch_a1, mobile="13700000003")
    masked = world.client(world.member).get(f"/api/v1/people/{other.pk}").json()
    assert masked["mobile"] == "137****0003"
