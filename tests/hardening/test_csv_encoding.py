"""CSV encodings: strict UTF-8, Windows-1252 only when the whole file looks like it (csvio's rule)."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.accounts.csvio import AccountCsvReader
from app.accounts.models import Account
from tests.conftest import login, owner_view, page_csrf


def read(data: bytes):
    reader = AccountCsvReader(io.BytesIO(data))
    return list(reader), reader


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def _accounts() -> int:
    with owner_view() as owner:
        return owner.scalar(select(func.count()).select_from(Account))


def test_the_probes_file_is_refused_with_row_and_column_and_nothing_written(app, make):
    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    data = b"name,domain,industry\nGood Ltd,good.example,Retail\nBad \xc3\x28 Ltd,bad.example,Retail\n"
    response = app.test_client().post("/api/v1/accounts/import?wait=true", headers=_auth(token),
                                      data={"file": (io.BytesIO(data), "probe.csv")})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["rows"] == [{"row": 3, "field": "name", "message": error["rows"][0]["message"]}]
    assert "0xC3" in error["rows"][0]["message"] and "character 5 of column 1" in error["rows"][0]["message"]
    assert error["encoding"] == "utf-8"
    assert _accounts() == 0


@pytest.mark.parametrize("data, row, field, byte", [
    (b"\xef\xbb\xbfname,domain\nZo\xc3\xab,zoe.example\nX\xff,x.example\n", 3, "name", "0xFF"),  # BOM: declared UTF-8
    (b"name,domain\nZo\xc3\xab,zoe.example\nCaf\xe9,cafe.fr\n", 3, "name", "0xE9"),  # UTF-8 elsewhere
    (b"name,domain,region\nA,a.example,\xc3\x28\n", 2, "region", "0xC3"),
    (b"name,domain\n\"two\nlines\",two.example\nB,\xc3(b.example\n", 3, "domain", "0xC3"),  # spreadsheet row
    (b"name,\xc3\x28domain\nA,a.example\n", 1, "column 2", "0xC3"),  # in the header
])
def test_invalid_utf8_names_the_first_bad_byte(data, row, field, byte):
    rows, reader = read(data)
    assert rows == [] and not reader.ok
    assert [(e.row, e.field) for e in reader.errors] == [(row, field)]
    assert byte in reader.errors[0].message and reader.encoding in ("utf-8", "utf-8-sig")


def test_invalid_utf8_late_in_a_large_file_is_found():
    body = "".join(f"Zoë {i},z{i}.example\n" for i in range(20_000)).encode()
    data = b"name,domain\n" + body + b"Late \xc3\x28,late.example\n"
    assert len(data) > 2 * 64 * 1024
    rows, reader = read(data)
    assert rows == [] and [(e.row, e.field) for e in reader.errors] == [(20_002, "name")]


@pytest.mark.parametrize("text", ["Café Crème", "SÃO PAULO", "Müller & Söhne", "Café à la mode",
                                  "Ærø Øl", "\u20acuro \u201cquoted\u201d"])
def test_windows_1252_files_are_read_as_such(text):
    rows, reader = read(f"name,domain\n{text},shop.example\n".encode("cp1252"))
    assert reader.ok and reader.encoding == "cp1252"
    assert rows[0]["name"] == text


def test_windows_1252_is_judged_on_the_whole_file():
    # Looks like Windows-1252 for 20,000 rows, but a lone lead byte at the end does not: the file
    # is refused at its first byte that is not UTF-8, and nothing is yielded.
    body = "".join(f"Café {i},c{i}.example\n" for i in range(20_000)).encode("cp1252")
    assert read(b"name,domain\n" + body)[1].encoding == "cp1252"
    rows, reader = read(b"name,domain\n" + body + b"x,\xc3(.example\n")
    assert rows == [] and [(e.row, e.field) for e in reader.errors] == [(2, "name")]
    assert "0xE9 at character 4" in reader.errors[0].message


def test_encoding_is_in_the_api_result_and_the_audit_event(app, make):
    from app.audit.models import AuditEvent

    tenant = make.tenant("acme")
    token = make.token(make.admin_membership(tenant))
    for data, encoding in ((b"name,domain\nZo\xc3\xab,zoe.example\n", "utf-8"),
                           ("name,domain\nCafé,cafe.fr\n".encode("cp1252"), "cp1252"),
                           (b"\xef\xbb\xbfname,domain\nA,a2.example\n", "utf-8-sig")):
        response = app.test_client().post("/api/v1/accounts/import?wait=true", headers=_auth(token),
                                          data={"file": (io.BytesIO(data), "ok.csv")})
        assert response.status_code == 201 and response.get_json()["encoding"] == encoding
    with owner_view() as owner:
        events = owner.scalars(select(AuditEvent).where(AuditEvent.action == "accounts.import")
                               .order_by(AuditEvent.seq)).all()
        assert [e.after["encoding"] for e in events] == ["utf-8", "cp1252", "utf-8-sig"]


def test_import_page_says_which_encoding_was_used(app, make):
    make.tenant("acme")
    c = app.test_client()
    login(c, "admin@acme.example")
    token = page_csrf(c, "/accounts/import")
    response = c.post("/accounts/import?wait=true", data={"csrf_token": token, "file": (
        io.BytesIO("name,domain\nCafé Crème,cafe.fr\n".encode("cp1252")), "latin.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Windows-1252 (Latin-1)" in response.get_data(as_text=True)
    response = c.post("/accounts/import?wait=true", data={"csrf_token": token, "file": (
        io.BytesIO(b"name,domain\nBad \xc3\x28,bad.example\n"), "bad.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "0xC3" in page and "UTF-8" in page
    assert _accounts() == 1
