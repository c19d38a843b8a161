"""Contacts as the events side sees them (core/contacts.py): numbers, details, passwords, tokens."""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backoffice.core import contacts, errors, mail, records
from backoffice.core.auth import Principal
from backoffice.core.clock import moved_to, now
from backoffice.core.store import Database
from backoffice.core.store.tables import ENTITY_TABLES, contact_credential, contact_token, sequence
from backoffice.demo.events import ALEX, ALEX_EMAIL, CONTACT_PASSWORDS, JAMIE, JAMIE_EMAIL, NO_EMAIL_CONTACT, SAM
from tests.conftest import _free_port
from tests.core.migrating import upgrade

STAFF = Principal(kind="staff", staff_id="", username="tester")
C00001 = "0000000061000000001V"
_contact = ENTITY_TABLES["DebtorContactName"]
_debtor = ENTITY_TABLES["Debtor"]

DETAILS: dict[str, Any] = {
    "email": "Casey.New@Example.com", "title": "Dr", "forename": "Casey", "surname": "New",
    "organisation": "New Ventures", "occupation": "Engineer", "pa_name": "Pat Assistant", "marketing_opt_out": True,
    "line1": "1 First Street", "line2": "Level 2", "line3": "Suite 3", "town": "Brisbane", "county": "QLD",
    "postcode": "4000", "country": "Australia", "telephone": "07 3000 0000", "fax": "07 3000 0001",
    "mobile": "0400 000 000", "website": "https://new.example.com", "reference": "REF-1", "code": "VIP",
    "date_of_birth": date(1990, 4, 1),
}


@pytest.fixture
def outbox(tmp_path: Path) -> mail.MailSettings:
    return mail.MailSettings(outbox=tmp_path / "outbox")


def _token_in(message: mail.OutboxMessage) -> str:
    found = re.search(r"is:\s+(\S+)\s", message.body())
    assert found is not None, message.body()
    return found.group(1)


# --- numbers and details --------------------------------------------------------------------------


def test_the_demo_contacts_have_their_numbers(db: Database) -> None:
    with db.read() as conn:
        assert contacts.by_number(conn, ALEX)["email"] == ALEX_EMAIL
        assert contacts.by_number(conn, SAM)["surname"] == "Payer1"
        jamie = contacts.by_number(conn, JAMIE)
        assert (jamie["name"], jamie["reg_status"], jamie["email"]) == ("Jamie Delegate", 0, JAMIE_EMAIL)
        assert contacts.by_number(conn, ALEX)["reg_status"] == 1
        assert contacts.by_number(conn, NO_EMAIL_CONTACT)["email"] is None
        with pytest.raises(errors.NotFound, match=r"^Contact 9999 was not found\.$"):
            contacts.by_number(conn, 9999)


def test_submit_adds_a_numbered_contact_to_the_events_debtor(db: Database) -> None:
    with db.write() as conn:
        made = contacts.submit(conn, DETAILS)
        row = conn.execute(sa.select(_contact).where(_contact.c.contact_name_id == made["contact_name_id"])).one()
        debtor = conn.execute(sa.select(_debtor).where(_debtor.c.debtor_id == made["debtor_id"])).one()
        highest = conn.execute(sa.select(sa.func.max(_contact.c.contact_number))).scalar()
    assert made["contact_number"] == highest == 1013  # after the demo's 1001-1012
    assert (debtor.account_no, debtor.name) == ("EVENTS", "Event contacts")
    assert (row.first_name, row.phone, row.email_address, row.fax) == ("Casey", "07 3000 0000", DETAILS["email"],
                                                                       "07 3000 0001")
    assert made["name"] == "Casey New" and made["reg_status"] == 0 and made["profile_value_ids"] == []
    for key, value in DETAILS.items():
        assert made[key] == value, key
    assert set(made) == {"contact_number", "contact_name_id", "debtor_id", *DETAILS, "name", "reg_status",
                         "profile_string", "profile_value_ids"}
    with db.read() as conn:
        assert contacts.by_number(conn, 1013) == made


def test_the_events_debtor_is_made_when_first_needed(db: Database) -> None:
    with db.write() as conn:
        events_debtor = conn.execute(sa.select(_debtor.c.debtor_id).where(_debtor.c.account_no == "EVENTS")).scalar()
        conn.execute(_contact.update().where(_contact.c.debtor_id == events_debtor).values(debtor_id=C00001))
        conn.execute(_debtor.delete().where(_debtor.c.debtor_id == events_debtor))
        made = contacts.submit(conn, {"email": "first@events.example.com", "surname": "First"})
        debtor = conn.execute(sa.select(_debtor).where(_debtor.c.debtor_id == made["debtor_id"])).one()
    assert (debtor.account_no, debtor.name, debtor.revision) == ("EVENTS", "Event contacts", 2)
    assert debtor.commence_date is not None  # made the way every debtor is, through its rule


def test_an_e_mail_address_is_required_well_formed_and_unique_without_case(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match="e-mail address is required") as missing:
            contacts.submit(conn, {"surname": "Nobody"})
        assert missing.value.errors[0].field == "email"
        for bad in ("not-an-address", "a@b", "two@@example.com", "a b@example.com"):
            with pytest.raises(errors.Invalid, match="is not a valid e-mail address"):
                contacts.submit(conn, {"email": bad})
        with pytest.raises(errors.Conflict) as taken:
            contacts.submit(conn, {"email": "  ALEX@C00001.example.COM "})
        assert taken.value.message == "A contact with the e-mail address ALEX@C00001.example.COM already exists."


@pytest.mark.parametrize("detail, length", [("forename", 60), ("telephone", 40), ("organisation", 100),
                                            ("postcode", 20), ("website", 200), ("code", 60)])
def test_lengths_are_checked_and_the_detail_named(db: Database, detail: str, length: int) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid) as too_long:
            contacts.submit(conn, {"email": "long@example.com", detail: "x" * (length + 1)})
        assert too_long.value.errors[0].field == detail
        assert too_long.value.message == f"{detail} must be at most {length} characters."
        assert contacts.submit(conn, {"email": "long@example.com", detail: "x" * length})[detail] == "x" * length


def test_unknown_details_and_wrong_types_are_refused(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match="Unknown contact detail"):
            contacts.submit(conn, {"email": "x@example.com", "password": "secret"})  # not at submit
        with pytest.raises(errors.Invalid, match="marketing_opt_out must be true or false"):
            contacts.submit(conn, {"email": "x@example.com", "marketing_opt_out": "yes"})
        with pytest.raises(errors.Invalid, match="date_of_birth must be a date"):
            contacts.submit(conn, {"email": "x@example.com", "date_of_birth": "1990-01-01"})
        made = contacts.submit(conn, {"email": "x@example.com", "date_of_birth": datetime(1990, 1, 2, 13, 0)})
    assert made["date_of_birth"] == date(1990, 1, 2)


def test_every_new_contact_gets_a_number_whichever_api_makes_it(db: Database) -> None:
    with db.write() as conn:
        # Jiwa's and Galaxy's way: a contact name added to a debtor.
        debtor = records.add_child(conn, STAFF, "Debtor", C00001, [], "contact_names",
                                   {"first_name": "Jo", "surname": "Jiwa", "email_address": "jo@example.com"})
        # A contact record made on its own.
        alone = records.create(conn, STAFF, "DebtorContactName", {"debtor_id": C00001, "surname": "Alone"},
                               allow_system=True)
        # A whole new debtor with two contact names.
        made = records.create(conn, STAFF, "Debtor", {"account_no": "C00099", "name": "New Debtor", "contact_names": [
            {"surname": "One"}, {"surname": "Two"}]})
        numbers = [debtor["contact_number"], alone["contact_number"],
                   *[c["contact_number"] for c in made["contact_names"]]]
        assert numbers == [1013, 1014, 1015, 1016]
        assert contacts.by_number(conn, 1013)["email"] == "jo@example.com"
        # A client cannot choose or change the number: it is the system's.
        records.update_child(conn, STAFF, "Debtor", C00001, [("contact_names", debtor["contact_name_id"])],
                             {"contact_number": 1, "surname": "Jiwa-Smith"})
        assert contacts.by_number(conn, 1013)["surname"] == "Jiwa-Smith"
        assert conn.execute(sa.select(sequence.c.next_value).where(sequence.c.name == "Contact")).scalar() == 1017


# --- updating --------------------------------------------------------------------------------------------


def test_update_changes_only_what_is_given(db: Database) -> None:
    with db.write() as conn:
        made = contacts.submit(conn, DETAILS)
        number = made["contact_number"]
        before = conn.execute(sa.select(_debtor.c.revision).where(_debtor.c.debtor_id == made["debtor_id"])).scalar()
        changed = contacts.update(conn, number, {"title": "Prof", "organisation": "", "line2": None,
                                                 "marketing_opt_out": None, "reg_status": 1,
                                                 "profile_string": "likes:golf", "profile_value_ids": [7, 3, 7, 12]})
        after = conn.execute(sa.select(_debtor.c.revision).where(_debtor.c.debtor_id == made["debtor_id"])).scalar()
        stored = conn.execute(sa.select(_contact.c.profile_value_ids)
                              .where(_contact.c.contact_number == number)).scalar()
    assert after == before + 1  # the contact's debtor counts as changed
    expected = {**made, "title": "Prof", "organisation": None, "line2": None, "reg_status": 1,
                "profile_string": "likes:golf", "profile_value_ids": [7, 3, 12]}
    assert changed == expected
    assert stored == "7,3,12"
    with db.write() as conn:
        again = contacts.update(conn, number, {"profile_value_ids": [], "date_of_birth": None, "forename": "Kim"})
    assert (again["profile_value_ids"], again["date_of_birth"], again["name"]) == ([], None, "Kim New")


def test_update_checks_what_it_is_given(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.NotFound, match=r"^Contact 4242 was not found\.$"):
            contacts.update(conn, 4242, {"title": "Mr"})
        with pytest.raises(errors.Invalid, match="reg_status must be 0"):
            contacts.update(conn, JAMIE, {"reg_status": 2})
        with pytest.raises(errors.Invalid, match="profile_value_ids must be a list"):
            contacts.update(conn, JAMIE, {"profile_value_ids": [1, "2"]})
        with pytest.raises(errors.Invalid, match="must fit in 1000"):
            contacts.update(conn, JAMIE, {"profile_value_ids": list(range(1000, 1300))})
        with pytest.raises(errors.Invalid, match="Unknown contact detail"):
            contacts.update(conn, JAMIE, {"nickname": "J"})
        with pytest.raises(errors.Conflict, match="already exists"):
            contacts.update(conn, JAMIE, {"email": ALEX_EMAIL.upper()})
        # Its own address in other letters is not a clash.
        assert contacts.update(conn, JAMIE, {"email": JAMIE_EMAIL.upper()})["email"] == JAMIE_EMAIL.upper()


def test_update_sets_a_password_and_leaves_it_when_none_is_given(db: Database) -> None:
    with db.write() as conn:
        contacts.update(conn, JAMIE, {"password": "new-secret"})
        stored = conn.execute(sa.select(contact_credential.c.password_hash)).scalars().all()
        contacts.update(conn, JAMIE, {"password": ""})
        contacts.update(conn, JAMIE, {"password": None, "title": "Mr"})
    assert not any("new-secret" in h for h in stored)
    with db.read() as conn:
        assert contacts.check_log_on(conn, JAMIE_EMAIL, "new-secret")["contact_number"] == JAMIE
        with pytest.raises(errors.Unauthenticated):
            contacts.check_log_on(conn, JAMIE_EMAIL, CONTACT_PASSWORDS[JAMIE_EMAIL])


def test_by_email_ignores_case_and_takes_the_lowest_number(db: Database) -> None:
    with db.write() as conn:
        # Another API does not check addresses: a second contact with Jamie's, in capitals.
        records.add_child(conn, STAFF, "Debtor", C00001, [], "contact_names",
                          {"surname": "Twin", "email_address": JAMIE_EMAIL.upper()})
        found = contacts.by_email(conn, f" {JAMIE_EMAIL.upper()} ")
        assert found is not None and found["contact_number"] == JAMIE
        assert contacts.by_email(conn, "nobody@example.com") is None
        assert contacts.by_email(conn, "") is None and contacts.by_email(conn, None) is None


# --- log-on ------------------------------------------------------------------------------------------------


def test_check_log_on(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    verified: list[str | None] = []
    real = contacts.verify_password
    monkeypatch.setattr(contacts, "verify_password", lambda h, p: verified.append(h) or real(h, p))
    with db.write() as conn:
        no_password = contacts.submit(conn, {"email": "nopass@example.com"})["contact_number"]
        found = contacts.check_log_on(conn, "Alex@C00001.example.com", CONTACT_PASSWORDS[ALEX_EMAIL])
        assert (found["contact_number"], found["name"], found["reg_status"]) == (ALEX, "Alex Buyer1", 1)
        assert len(verified) == 1 and verified[0] is not None
        failures = [("nobody@example.com", "whatever"), ("nopass@example.com", ""), ("nopass@example.com", "x"),
                    (ALEX_EMAIL, "wrong"), (ALEX_EMAIL, ""), ("", "x"), (None, None)]
        for email, password in failures:
            verified.clear()
            with pytest.raises(errors.Unauthenticated) as failed:
                contacts.check_log_on(conn, email, password)
            assert failed.value.message == "The email address or password is incorrect."
            assert len(verified) == 1  # one Argon2 verification whatever failed
        assert no_password  # (made only to have a contact with no password)


def test_set_password(db: Database) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match="password is required"):
            contacts.set_password(conn, JAMIE, "")
        with pytest.raises(errors.NotFound):
            contacts.set_password(conn, 9999, "secret")
        contacts.set_password(conn, NO_EMAIL_CONTACT, "postal")
        contacts.set_password(conn, NO_EMAIL_CONTACT, "postal-2")
        count = conn.execute(sa.select(sa.func.count()).select_from(contact_credential).where(
            contact_credential.c.contact_name_id == contacts.key_of(conn, NO_EMAIL_CONTACT))).scalar()
    assert count == 1


# --- tokens ------------------------------------------------------------------------------------------------


def test_a_token_is_mailed_and_kept_only_as_a_digest(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        answer = contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, True)
        rows = [dict(r) for r in conn.execute(sa.select(contact_token)).mappings()]
    assert answer == {"contact_number": JAMIE, "email": JAMIE_EMAIL}
    [message] = mail.outbox(outbox)
    assert (message.to, message.subject) == (JAMIE_EMAIL, "Your ContactRegistration token")
    token = _token_in(message)
    assert len(token) == 43 and f"contact {JAMIE}" in message.body() and "24 hours" in message.body()
    [row] = rows
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    assert (row["single_use"], row["used_at"], row["token_type"]) == (True, None, "ContactRegistration")
    assert row["expires_at"] - row["created_at"] == timedelta(hours=24)


def test_generate_token_refusals(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid) as unknown:
            contacts.generate_token(conn, outbox, "contactregistration", JAMIE, True)
        assert unknown.value.message == "Unknown tokenType 'contactregistration'. Options are [ContactRegistration]."
        with pytest.raises(errors.NotFound, match=r"^Contact 9999 was not found\.$"):
            contacts.generate_token(conn, outbox, "ContactRegistration", 9999, True)
        with pytest.raises(errors.Invalid) as no_email:
            contacts.generate_token(conn, outbox, "ContactRegistration", NO_EMAIL_CONTACT, True)
        assert no_email.value.message == f"Contact {NO_EMAIL_CONTACT} has no e-mail address."
    assert mail.outbox(outbox) == []


def test_a_single_use_token_works_once(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, True)
    token = _token_in(mail.outbox(outbox)[-1])
    with db.write() as conn:
        assert contacts.verify_token(conn, "ContactRegistration", token) == {"contact_number": JAMIE,
                                                                            "email": JAMIE_EMAIL}
    with db.write() as conn:
        with pytest.raises(errors.Invalid) as again:
            contacts.verify_token(conn, "ContactRegistration", token)
        assert again.value.message == "The token is not valid."
        # Verifying does not register the contact (the vendor says only "validate").
        assert contacts.by_number(conn, JAMIE)["reg_status"] == 0


def test_a_multi_use_token_works_until_it_expires(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", ALEX, False, ttl=timedelta(hours=2))
    token = _token_in(mail.outbox(outbox)[-1])
    assert "2 hours" in mail.outbox(outbox)[-1].body()
    for _ in range(3):
        with db.write() as conn:
            assert contacts.verify_token(conn, "ContactRegistration", token)["contact_number"] == ALEX
    with moved_to(now() + timedelta(hours=2, minutes=1)), db.write() as conn:
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", token)


def test_a_single_use_token_expires_too(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, True)
    token = _token_in(mail.outbox(outbox)[-1])
    with moved_to(now() + timedelta(hours=24, seconds=1)), db.write() as conn:
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", token)


def test_a_new_token_replaces_the_contacts_others_of_that_type(db: Database, outbox: mail.MailSettings,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contacts, "TOKEN_TYPES", ("ContactRegistration", "PasswordReset"))
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, False)
        contacts.generate_token(conn, outbox, "PasswordReset", JAMIE, False)
        contacts.generate_token(conn, outbox, "ContactRegistration", ALEX, False)
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, False)
    first, reset, alex, second = (_token_in(m) for m in mail.outbox(outbox))
    assert mail.outbox(outbox)[1].subject == "Your PasswordReset token"
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", first)
        assert contacts.verify_token(conn, "ContactRegistration", second)["contact_number"] == JAMIE
        assert contacts.verify_token(conn, "ContactRegistration", alex)["contact_number"] == ALEX  # another's stays
        assert contacts.verify_token(conn, "PasswordReset", reset)["contact_number"] == JAMIE  # another type stays
        # A token is only good for its own type.
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", reset)
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "PasswordReset", second)


@pytest.mark.parametrize("value", ["", None, "x" * 43, "y" * 500])
def test_unknown_tokens_are_not_valid(db: Database, value: str | None) -> None:
    with db.write() as conn:
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", value)
        with pytest.raises(errors.Invalid, match=r"^Unknown tokenType 'Other'"):
            contacts.verify_token(conn, "Other", value)


def test_of_two_verifications_racing_for_a_single_use_token_one_wins(db: Database, outbox: mail.MailSettings,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, True)
    token = _token_in(mail.outbox(outbox)[-1])
    real = contacts.hmac.compare_digest

    with db.write() as conn:
        def the_other_verification_wins(a: str, b: str) -> bool:
            # Between this verification's read and its write, another uses the token up.
            conn.execute(contact_token.update().values(used_at=now()))
            return real(a, b)

        monkeypatch.setattr(contacts.hmac, "compare_digest", the_other_verification_wins)
        with pytest.raises(errors.Invalid, match=r"^The token is not valid\.$"):
            contacts.verify_token(conn, "ContactRegistration", token)


def _at_once(*calls: Any) -> list[str]:
    """Run the calls in threads released together; each one's outcome: "ok" or its error's message."""
    start = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call: Any) -> None:
        start.wait()
        try:
            call()
            outcomes.append("ok")
        except errors.CoreError as failed:
            outcomes.append(failed.message)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


def test_two_verifications_of_a_single_use_token_at_once_one_wins(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, True)
    token = _token_in(mail.outbox(outbox)[-1])

    def verify() -> None:
        with db.write() as conn:
            contacts.verify_token(conn, "ContactRegistration", token)

    assert _at_once(verify, verify) == ["The token is not valid.", "ok"]


def test_two_contacts_with_one_address_at_once_one_is_made(db: Database) -> None:
    def submit(name: str) -> Any:
        def call() -> None:
            with db.write() as conn:
                contacts.submit(conn, {"email": "twins@example.com", "surname": name})
        return call

    assert _at_once(submit("One"), submit("Two")) == [
        "A contact with the e-mail address twins@example.com already exists.", "ok"]


def test_no_token_is_kept_when_the_mail_server_refuses_it(db: Database, outbox: mail.MailSettings,
                                                          tmp_path: Path) -> None:
    with db.write() as conn:
        contacts.generate_token(conn, outbox, "ContactRegistration", JAMIE, False)
    working = _token_in(mail.outbox(outbox)[-1])
    down = mail.MailSettings(outbox=tmp_path / "unused", smtp_host="127.0.0.1", smtp_port=_free_port(), timeout=2)
    with db.write() as conn:
        with pytest.raises(mail.MailUnavailable):
            contacts.generate_token(conn, down, "ContactRegistration", JAMIE, False)
        assert conn.execute(sa.select(sa.func.count()).select_from(contact_token)).scalar() == 1
        # The earlier token still works: nothing was replaced.
        assert contacts.verify_token(conn, "ContactRegistration", working)["contact_number"] == JAMIE


def test_a_contacts_credentials_and_tokens_go_with_it(db: Database, outbox: mail.MailSettings) -> None:
    with db.write() as conn:
        made = records.add_child(conn, STAFF, "Debtor", C00001, [], "contact_names",
                                 {"surname": "Short", "email_address": "short@example.com"})
        contacts.set_password(conn, made["contact_number"], "brief")
        contacts.generate_token(conn, outbox, "ContactRegistration", made["contact_number"], True)
        records.delete_child(conn, STAFF, "Debtor", C00001, [("contact_names", made["contact_name_id"])])
        left = [conn.execute(sa.select(sa.func.count()).select_from(t).where(
            t.c.contact_name_id == made["contact_name_id"])).scalar() for t in (contact_credential, contact_token)]
    assert left == [0, 0]


# --- the migration ------------------------------------------------------------------------------------------


def test_the_migration_numbers_existing_contacts_in_key_order(empty_url: str) -> None:
    upgrade(empty_url, "0009")
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO debtor (debtor_id, account_no, name, revision) VALUES ('D1', 'A1', 'A', 1)"))
        for key, email in (("Zed", "z@example.com"), ("Bee", "b@example.com"), ("Ant", None)):
            conn.execute(sa.text("INSERT INTO debtor_contact_name (contact_name_id, debtor_id, email_address) "
                                 "VALUES (:k, 'D1', :e)"), {"k": key, "e": email})
        # A record referring to a contact: SQLite's rebuild of the contacts table must not trip on it.
        conn.execute(sa.text("INSERT INTO activity (activity_id, subject, contact_name_id, revision) "
                             "VALUES ('AC1', 'Call', 'Bee', 1)"))
    engine.dispose()
    upgrade(empty_url, "head")
    engine = sa.create_engine(empty_url)
    with engine.connect() as conn:
        numbers = conn.execute(sa.text("SELECT contact_name_id, contact_number, reg_status FROM debtor_contact_name "
                                       "ORDER BY contact_number")).all()
        following = conn.execute(sa.text("SELECT next_value FROM sequence WHERE name = 'Contact'")).scalar()
        still = conn.execute(sa.text("SELECT contact_name_id FROM activity")).scalar()
    engine.dispose()
    assert [tuple(r) for r in numbers] == [("Ant", 1001, 0), ("Bee", 1002, 0), ("Zed", 1003, 0)]
    assert following == 1004 and still == "Bee"
