"""The review PDF pack rendered by the worker is the very pack the page serves (a signed pack is byte-stable)."""
from __future__ import annotations

from app.jobs.schemas import JobOut
from tests.jobs.conftest import ENDED, bearer, wait_for
from tests.reviews.test_reviews import api, open_signed, w  # noqa: F401  (the reviews world fixture)


def test_the_worker_renders_the_signed_pack_byte_for_byte(client, w, worker):  # noqa: F811
    rid = open_signed(client, w)
    direct = api(client, w, "channel_manager", "GET", f"/reviews/{rid}/pdf").data
    assert direct[:5] == b"%PDF-"
    r = api(client, w, "channel_manager", "POST", f"/reviews/{rid}/pdf-pack")
    assert r.status_code == 202 and r.headers["Location"] == f"/api/v1/jobs/{r.json['id']}"
    job_id = r.json["id"]
    token = w.tokens["channel_manager"]
    assert client.get(f"/api/v1/jobs/{job_id}/download", headers=bearer(token)).status_code == 404  # not yet
    worker.start()
    job = wait_for(client, token, job_id, ENDED, worker=worker)
    assert job["state"] == "succeeded" and job["has_output"], job
    got = client.get(f"/api/v1/jobs/{job_id}/download", headers=bearer(token))
    assert got.status_code == 200 and got.data == direct
    assert got.mimetype == "application/pdf"  # what the document says the download is
    assert job["result"]["bytes"] == len(direct)
    JobOut.model_validate(job)  # a succeeded job with its result and output fits the documented model
    # The vendor admin sees the vendor-side job (it is the vendor's work) and may download it.
    assert client.get(f"/api/v1/jobs/{job_id}/download", headers=bearer(w.tokens["vendor_admin"])).status_code == 200
    # Partner staff never see the vendor side's pack job.
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(w.tokens["partner_admin"])).status_code == 404


def test_a_partner_pack_is_the_partner_sides_and_stays_with_the_partner(client, w, worker):  # noqa: F811
    rid = open_signed(client, w)
    direct = api(client, w, "partner_admin", "GET", f"/reviews/{rid}/pdf").data
    job_id = api(client, w, "partner_admin", "POST", f"/reviews/{rid}/pdf-pack").json["id"]
    worker.start()
    job = wait_for(client, w.tokens["partner_admin"], job_id, ENDED, worker=worker)
    assert job["state"] == "succeeded"
    assert client.get(f"/api/v1/jobs/{job_id}/download", headers=bearer(w.tokens["partner_user"])).data == direct
    # The vendor admin sees that the partner made a pack, not the partner side's pack itself.
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(w.tokens["vendor_admin"])).status_code == 200
    assert client.get(f"/api/v1/jobs/{job_id}/download", headers=bearer(w.tokens["vendor_admin"])).status_code == 403
    assert client.get(f"/api/v1/jobs/{job_id}", headers=bearer(w.tokens["globex_admin"])).status_code == 404


def test_the_review_page_button_builds_the_pack_as_a_job_with_a_download_link(client, w, worker):  # noqa: F811
    import time

    from tests.conftest import csrf_from, login

    rid = open_signed(client, w)
    direct = api(client, w, "channel_manager", "GET", f"/reviews/{rid}/pdf").data
    page_client = client.application.test_client()
    login(page_client, w.emails["channel_manager"])
    page = page_client.get(f"/reviews/{rid}").get_data(as_text=True)
    assert f'action="/reviews/{rid}/pdf-pack"' in page and "Build the PDF pack in the background" in page
    assert page_client.post(f"/reviews/{rid}/pdf-pack", data={}).status_code == 400  # CSRF
    r = page_client.post(f"/reviews/{rid}/pdf-pack", data={"csrf_token": csrf_from(page)})
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")
    location = r.headers["Location"]
    waiting = page_client.get(location).get_data(as_text=True)
    assert "job-progress.js" in waiting and 'http-equiv="refresh"' in waiting and "Download" not in waiting
    worker.start()
    deadline = time.monotonic() + 60
    while page_client.get(location + "/status").get_json()["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, worker.output()[-2000:]
        time.sleep(0.05)
    done = page_client.get(location).get_data(as_text=True)
    assert f'href="{location}/download"' in done
    assert page_client.get(location + "/download").data == direct
    # Another partner's admin cannot start one on this review: 404, as for the review itself.
    other = client.application.test_client()
    login(other, w.emails["globex_admin"])
    token = csrf_from(other.get("/home").get_data(as_text=True))
    assert other.post(f"/reviews/{rid}/pdf-pack", data={"csrf_token": token}).status_code == 404
