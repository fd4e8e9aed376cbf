"""Streaming account CSV import validation and injection-safe export (DESIGN §3)."""
import csv
import io
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.accounts.csvio import (AccountCsvReader, RowError, _SeenDomains, neutralise_cell, read_accounts,
                                write_accounts_csv)

ALL_COLUMNS = ["name", "domain", "employees", "industry", "region", "arr", "renewal_date", "stage"]


class OneWayStream:
    """A non-seekable binary stream that produces its bytes lazily (like a socket)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = b""

    def seekable(self):
        return False

    def read(self, n=-1):
        while n < 0 or len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if n < 0:
            n = len(self._buffer)
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data


def read(data, **kwargs):
    """Read everything; return (rows, reader)."""
    reader = read_accounts(data if not isinstance(data, str) else data.encode(), **kwargs)
    return list(reader), reader


def errors(data, **kwargs):
    """Return the errors as (row, field, message) tuples."""
    _, reader = read(data, **kwargs)
    return [(e.row, e.field, e.message) for e in reader.errors]


# -- happy paths -------------------------------------------------------------------------------

def test_all_columns_are_parsed_and_typed():
    rows, reader = read(
        "name,domain,employees,industry,region,arr,renewal_date,stage\n"
        "Acme,https://www.Acme.com/,250,Software,EMEA,120000.50,2026-03-31,customer\n"
        "Globex,globex.com,,,,,,\n")
    assert reader.ok and reader.errors == [] and reader.warnings == []
    assert reader.columns == tuple(ALL_COLUMNS)
    assert rows == [
        {"row": 2, "name": "Acme", "domain": "acme.com", "employees": 250, "industry": "Software",
         "region": "EMEA", "arr": Decimal("120000.50"), "renewal_date": date(2026, 3, 31),
         "stage": "customer"},
        {"row": 3, "name": "Globex", "domain": "globex.com", "employees": None, "industry": None,
         "region": None, "arr": None, "renewal_date": None, "stage": None},
    ]
    assert reader.data_rows == reader.valid_rows == 2


def test_only_columns_in_the_file_are_returned():
    rows, reader = read("Domain , NAME\nacme.com,Acme\n")
    assert reader.columns == ("domain", "name")
    assert rows == [{"row": 2, "domain": "acme.com", "name": "Acme"}]


def test_header_names_are_normalised():
    rows, reader = read(" Name ,Domain,Renewal  Date\nAcme,acme.com,2026-01-01\n")
    assert reader.ok
    assert rows[0]["renewal_date"] == date(2026, 1, 1)


def test_utf8_bom():
    rows, reader = read(b"\xef\xbb\xbfname,domain\nZo\xc3\xab,zoe.example\n")
    assert reader.ok and reader.encoding == "utf-8-sig"
    assert rows == [{"row": 2, "name": "Zoë", "domain": "zoe.example"}]


def test_utf16_with_bom():
    rows, reader = read("name\tdomain\nZoë\tzoe.example\n".encode("utf-16"))
    assert reader.ok and reader.delimiter == "\t"
    assert rows[0]["name"] == "Zoë"


def test_semicolon_separated_with_decimal_comma():
    rows, reader = read("name;domain;arr;employees\n\"Acme; Inc\";acme.com;1234,50;12\n")
    assert reader.ok and reader.delimiter == ";"
    assert rows[0]["name"] == "Acme; Inc"
    assert rows[0]["arr"] == Decimal("1234.50") and rows[0]["employees"] == 12


def test_tab_separated():
    rows, reader = read("name\tdomain\tindustry\nAcme, Inc\tacme.com\tRetail, online\n")
    assert reader.ok and reader.delimiter == "\t"
    assert rows[0]["name"] == "Acme, Inc" and rows[0]["industry"] == "Retail, online"


def test_latin1_file():
    rows, reader = read("name,domain\nCafé Crème,cafe.fr\n".encode("latin-1"))
    assert reader.ok and reader.encoding == "cp1252"
    assert rows[0]["name"] == "Café Crème"


def test_cp1252_specials_and_undefined_bytes():
    rows, reader = read(b"name,domain\n\x80uro \x93quoted\x94 \x81,euro.example\n")
    assert reader.ok
    assert rows[0]["name"] == "\u20acuro \u201cquoted\u201d \x81"


def test_latin1_late_in_a_seekable_file_is_detected():
    body = "".join(f"Company {i},c{i}.example\n" for i in range(5000)) + "Café,cafe.fr\n"
    data = ("name,domain\n" + body).encode("latin-1")
    assert len(data) > 64 * 1024
    rows, reader = read(io.BytesIO(data))
    assert reader.ok and reader.encoding == "cp1252"
    assert rows[-1]["name"] == "Café" and len(rows) == 5001


def test_latin1_late_in_a_one_way_stream_is_a_clear_error():
    body = "".join(f"Company {i},c{i}.example\n" for i in range(5000)) + "Café,cafe.fr\n"
    data = ("name,domain\n" + body).encode("latin-1")
    _, reader = read(OneWayStream([data[i:i + 1000] for i in range(0, len(data), 1000)]))
    assert not reader.ok
    assert [(e.row, e.field) for e in reader.errors] == [(0, "file")]
    assert "CSV UTF-8" in reader.errors[0].message


def test_crlf_blank_lines_and_multiline_cells_keep_spreadsheet_row_numbers():
    data = ("name,domain,industry\r\n"
            "\r\n"
            "Acme,acme.com,\"Software\r\nand services\"\r\n"
            ",,\r\n"
            "Globex,globex.com,\r\n")
    rows, reader = read(data)
    assert reader.ok
    assert [r["row"] for r in rows] == [3, 5]
    assert rows[0]["industry"] == "Software\r\nand services"
    assert reader.data_rows == 2


def test_trailing_empty_cells_are_allowed():
    rows, reader = read("name,domain\nAcme,acme.com,,\n")
    assert reader.ok and rows[0]["domain"] == "acme.com"


def test_unknown_columns_are_ignored_with_a_warning():
    rows, reader = read("name,domain,Owner Email,\nAcme,acme.com,x@y.z,\n")
    assert reader.ok
    assert rows == [{"row": 2, "name": "Acme", "domain": "acme.com"}]
    assert [(w.row, w.field) for w in reader.warnings] == [(1, "owner_email"), (1, "")]


def test_bytes_and_batches():
    data = "name,domain\n" + "".join(f"C{i},c{i}.example\n" for i in range(12))
    reader = AccountCsvReader(data.encode())
    batches = list(reader.iter_batches(size=5))
    assert [len(b) for b in batches] == [5, 5, 2]
    assert batches[0][0] == {"row": 2, "name": "C0", "domain": "c0.example"}
    assert reader.ok


def test_text_stream_is_refused():
    with pytest.raises(TypeError):
        list(read_accounts(io.StringIO("name,domain\n")))


# -- file-level errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\r\n  \n"])
def test_empty_file(data):
    assert errors(data) == [(0, "file", "the file is empty")]


def test_header_only():
    assert errors("name,domain\n") == [(0, "file", "the file has no data rows")]
    assert errors("name,domain\n\n,\n") == [(0, "file", "the file has no data rows")]


def test_missing_required_columns():
    assert errors("name,website\nAcme,acme.com\n") == [(1, "domain", "required column is missing")]
    assert errors("company\nAcme\n") == [(1, "name", "required column is missing"),
                                         (1, "domain", "required column is missing")]


def test_repeated_column():
    assert errors("name,domain,Domain\nAcme,a.com,b.com\n") == [
        (1, "domain", "the column appears more than once")]


def test_broken_quotes_stop_with_a_row_error():
    data = "name,domain\nAcme,acme.com\n\"" + "x" * 200_000 + "\n"
    found = errors(data)
    assert len(found) == 1 and found[0][:2] == (3, "row")


def test_overlong_line_stops_reading():
    data = "name,domain,notes\nAcme,acme.com," + "x" * (1 << 20) + "\nB,b.com,\n"
    found = errors(data)
    assert found == [(2, "file", "a line is longer than 1048576 characters")]


# -- row errors ----------------------------------------------------------------------------------

def test_field_validation_messages():
    data = ("name,domain,employees,arr,renewal_date\n"
            ",acme.com,,,\n"                      # 2 name required
            "A,,,,\n"                             # 3 domain required
            "B,not a domain,,,\n"                 # 4
            "C,c.com,-5,,\n"                      # 5 negative
            "D,d.com,12.5,,\n"                    # 6 not whole
            "E,e.com,+5,-1,\n"                    # 7 formula-looking number; negative arr
            "F,f.com,,1.234,\n"                   # 8 three decimal places
            "G,g.com,,1e5,2026-02-30\n"           # 9 not a number; not a real date
            "H,h.com,,,31/12/2026\n"              # 10
            "I,i.com,99999999999,99999999999999,\n")  # 11 too large
    assert errors(data) == [
        (2, "name", "is required"),
        (3, "domain", "is required"),
        (4, "domain", "not a valid domain"),
        (5, "employees", "must not be negative"),
        (6, "employees", "must be a whole number"),
        (7, "employees", "must be a whole number"),
        (7, "arr", "must not be negative"),
        (8, "arr", "must have at most 2 decimal places"),
        (9, "arr", "must be a number like 12500.00"),
        (9, "renewal_date", "must be a date like 2025-12-31 (YYYY-MM-DD)"),
        (10, "renewal_date", "must be a date like 2025-12-31 (YYYY-MM-DD)"),
        (11, "employees", "is too large"),
        (11, "arr", "is too large"),
    ]


def test_arr_forms_that_are_accepted():
    rows, reader = read("name,domain,arr\nA,a.com,0\nB,b.com,.5\nC,c.com,7.\nD,d.com,3.100\n")
    assert reader.ok
    assert [r["arr"] for r in rows] == [Decimal("0"), Decimal(".5"), Decimal("7"), Decimal("3.1")]


def test_wrong_number_of_cells():
    assert errors("name,domain,region\nAcme,acme.com\nB,b.com,EMEA,extra\n") == [
        (2, "row", "has 2 cells but the header has 3"),
        (3, "row", "has 4 cells but the header has 3"),
    ]


def test_duplicate_domain_names_the_earlier_row():
    data = "name,domain\nAcme,Acme.com\nGlobex,globex.com\nAcme again,https://www.acme.com/x\n"
    assert errors(data) == [(4, "domain", "duplicate of row 2 (same domain acme.com)")]


def test_overlong_cells():
    long_cell = "x" * 1001
    data = (f"name,domain,industry,notes\n"
            f"{long_cell},a.com,{long_cell},{long_cell}\n"
            f"{'n' * 201},b.com,{'i' * 201},\n"
            f"{'n' * 200},c.com,,\n")
    assert errors(data) == [
        (2, "name", "longer than 1000 characters"),
        (2, "industry", "longer than 1000 characters"),
        (3, "name", "longer than 200 characters"),
        (3, "industry", "longer than 200 characters"),
    ]


def test_nul_in_text_is_refused():
    assert errors("name,domain\nAc\x00me,acme.com\n") == [(2, "name", "contains a NUL character")]


def test_after_a_nul_line_clean_rows_and_ignored_columns_still_pass():
    rows, reader = read("name,domain,notes,region\nAcme,acme.com,x\x00y,EMEA\nBeta,beta.com,,AP\x00AC\n"
                        "Gamma,gamma.com,,APAC\n")
    assert [(e.row, e.field, e.message) for e in reader.errors] == [(3, "region", "contains a NUL character")]
    rows, reader = read("name,domain,notes\nAcme,acme.com,x\x00y\nBeta,beta.com,\n")
    assert reader.ok and [(r["name"], r["domain"]) for r in rows] == [("Acme", "acme.com"), ("Beta", "beta.com")]


def test_formula_looking_cells_are_kept_on_import():
    data = ('name,domain,industry,stage\n'
            '"=HYPERLINK(""http://evil"",""x"")",acme.com,+cmd,@SUM(A1)\n'
            '-Minus Corp,minus.com,\t=1+1,-\n')
    rows, reader = read(data)
    assert reader.ok
    assert rows[0]["name"] == '=HYPERLINK("http://evil","x")'
    assert rows[0]["industry"] == "+cmd" and rows[0]["stage"] == "@SUM(A1)"
    assert rows[1]["name"] == "-Minus Corp"
    assert rows[1]["industry"] == "=1+1"  # cells are trimmed
    exported = "".join(write_accounts_csv(rows, ["name", "industry", "stage"]))
    parsed = list(csv.reader(io.StringIO(exported)))
    assert parsed[1] == ['\'=HYPERLINK("http://evil","x")', "'+cmd", "'@SUM(A1)"]
    assert parsed[2] == ["'-Minus Corp", "'=1+1", "'-"]


def test_no_rows_are_yielded_after_the_first_error_but_all_errors_are_found():
    data = "name,domain\nA,a.com\nB,bad\nC,c.com\nD,also bad\n"
    rows, reader = read(data)
    assert [r["row"] for r in rows] == [2]
    assert [e.row for e in reader.errors] == [3, 5]
    assert reader.valid_rows == 2 and reader.data_rows == 4 and not reader.ok


def test_error_cap_adds_a_count_of_the_rest():
    data = "name,domain\n" + "x,bad\n" * 25
    found = errors(data, max_errors=10)
    assert len(found) == 11
    assert found[9] == (11, "domain", "not a valid domain")
    assert found[10] == (0, "file", "and 15 more errors")


def test_validate_collects_errors_without_keeping_rows():
    reader = read_accounts(b"name,domain\nA,a.com\nB,\n")
    assert reader.validate() == [RowError(3, "domain", "is required")]
    assert reader.finished
    assert RowError(3, "domain", "is required").as_dict() == {
        "row": 3, "field": "domain", "message": "is required"}


def test_5000_rows_with_one_bad_row_give_exactly_that_error():
    lines = [f"Company {i},company{i}.example,{i},Software,EMEA,{i}.25,2026-01-01,customer"
             for i in range(5000)]
    lines[3120] = "Company 3120,company3120.example,lots,Software,EMEA,1,2026-01-01,customer"
    data = ",".join(ALL_COLUMNS) + "\n" + "\n".join(lines) + "\n"
    reader = read_accounts(data.encode())
    yielded = sum(len(b) for b in reader.iter_batches(1000))
    assert reader.errors == [RowError(3122, "employees", "must be a whole number")]
    assert yielded == 3000  # only whole batches completed before the error was found
    assert reader.data_rows == 5000 and reader.valid_rows == 4999


def test_200k_rows_stream_with_bounded_memory():
    n = 200_000
    # The upload itself (about 5 MB) exists before tracing starts, as a spooled file would.
    data = ("name,domain\n" + "".join(f"Company {i},c{i}.example\n" for i in range(n))).encode()
    chunks = (data[i:i + 65536] for i in range(0, len(data), 65536))
    tracemalloc.start()
    try:
        reader = read_accounts(OneWayStream(chunks))
        count = sum(len(batch) for batch in reader.iter_batches(5000))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reader.ok and count == n
    # Materialising the rows takes about 80 MB; streaming keeps one batch and the
    # domain -> row map for the duplicate check (about 30 MB here).
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"



@settings(max_examples=60, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9]{1,3}\.[a-z]{1,2}", fullmatch=True), max_size=3000))
def test_seen_domains_matches_a_dict(domains):
    # The compact map must answer exactly as dict.setdefault, through slot clashes and growth.
    seen, expected = _SeenDomains(), {}
    for row, domain in enumerate(domains, 2):
        assert seen.first_row(domain, row) == expected.setdefault(domain, row)


def test_seen_domains_tells_apart_equal_hashes():
    # Equal 64-bit hashes do not make two domains duplicates: the bytes are compared too.
    class SameHash(str):
        def __hash__(self):
            return 42

    seen = _SeenDomains()
    assert [seen.first_row(SameHash(d), row) for row, d in enumerate(["a.io", "b.io", "a.io", "b.io"], 2)] \
        == [2, 3, 2, 3]

# -- export --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("  =1+1", "'  =1+1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("Acme", "Acme"), ("a=b", "a=b"), ("", ""), (None, ""),
    (5, "5"), (-5, "-5"), (Decimal("1E+3"), "1000"), (Decimal("12.50"), "12.50"),
    (date(2026, 1, 2), "2026-01-02"), (True, "true"),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_export_is_chunked_and_quoted():
    rows = [{"name": f"Co, {i} \"quoted\"", "domain": f"c{i}.example", "arr": Decimal("1.50"),
             "renewal_date": None} for i in range(1200)]
    chunks = list(write_accounts_csv(iter(rows), ["name", "domain", "arr", "renewal_date"],
                                     chunk_rows=500))
    assert len(chunks) == 3
    text = "".join(chunks)
    assert text.startswith("name,domain,arr,renewal_date\r\n")
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed[1] == ['Co, 0 "quoted"', "c0.example", "1.50", ""]
    assert len(parsed) == 1201


def test_export_bom_for_excel():
    text = "".join(write_accounts_csv([], ["name"], bom=True))
    assert text == "\ufeffname\r\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF,
                                                blacklist_categories=("Cs", "Cc")),
                                  min_size=1, max_size=30).map(str.strip).filter(
                                      lambda s: s and s[0] not in "=+-@\uff1d\uff0b\uff0d\uff20"),
                          st.integers(0, 10**6)),
                min_size=1, max_size=20))
def test_export_then_import_round_trips(pairs):
    rows = [{"name": name, "domain": f"c{i}.example", "employees": emp}
            for i, (name, emp) in enumerate(pairs)]
    data = "".join(write_accounts_csv(rows, ["name", "domain", "employees"], bom=True))
    back, reader = read(data.encode("utf-8"))
    assert reader.ok
    assert [{k: v for k, v in r.items() if k != "row"} for r in back] == rows
