"""Large list exports as jobs: the threshold, the worker's file, scope, idempotency, the sweep, the notice."""

import csv
import io
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from backoffice import export
from backoffice.choices import ExportStatus
from backoffice.export import export_job_run, export_jobs_sweep
from backoffice.models import AuditEvent, ExportJob
from tests.cashier.conftest import fund
from tests.factories import AgentFactory, OperatorFactory, PlayerFactory


@pytest.fixture
def export_dir(settings, tmp_path):
    settings.EXPORT_DIR = str(tmp_path)
    return tmp_path


@pytest.fixture
def tree(db):
    a = AgentFactory(code="MA-X", flags=["add_accounts"])
    a1 = AgentFactory(code="AG-X1", parent=a, flags=[])
    b = AgentFactory(code="MA-Y", flags=["add_accounts"])
    for i in range(4):
        fund(PlayerFactory(username=f"x{i}", agent=a1, currency="EUR"), "10.00")
    for i in range(3):
        fund(PlayerFactory(username=f"y{i}", agent=b, currency="EUR"), "20.00")
    fund(PlayerFactory(username="casino0", agent=None, currency="EUR"), "30.00")
    return {"a": a, "a1": a1, "b": b}


def _inline(client, settings, url, **query) -> bytes:
    """What the inline export gives (the threshold raised for this one request)."""
    low = settings.EXPORT_INLINE_MAX_ROWS
    settings.EXPORT_INLINE_MAX_ROWS = 1_000_000
    try:
        response = client.get(url, {"export": "csv", **query})
    finally:
        settings.EXPORT_INLINE_MAX_ROWS = low
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content)


def _usernames(data: bytes, column: str = "Username") -> list[str]:
    rows = list(csv.reader(io.StringIO(data.decode())))
    return [r[rows[0].index(column)] for r in rows[1:]]


def test_a_small_export_stays_inline(login, settings, tree, export_dir):
    settings.EXPORT_INLINE_MAX_ROWS = 4  # the agent's sub-tree has exactly 4 players: at the threshold
    response = login(tree["a"].user).get("/players/", {"export": "csv"})
    assert response.status_code == 200 and response.streaming
    assert sorted(_usernames(b"".join(response.streaming_content))) == ["x0", "x1", "x2", "x3"]
    assert not ExportJob.objects.exists()


def test_a_big_export_answers_with_a_job_and_a_message(login, settings, tree, export_dir,
                                                       django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    client = login(tree["a"].user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.get("/players/", {"export": "csv", "q": "x", "sort": "-username"})
    assert response.status_code == 302 and response["Location"] == "/players/?q=x&sort=-username"
    job = ExportJob.objects.get()
    assert (job.user, job.path, job.query, job.format, job.status) == (
        tree["a"].user, "/players/", "q=x&sort=-username", "csv", ExportStatus.QUEUED)
    assert job.rows_total >= 4 and len(callbacks) == 1  # the task is sent once the job is committed
    event = AuditEvent.objects.get(action="export", actor=tree["a"].user)
    assert event.after == {"format": "csv", "query": "q=x&sort=-username", "job": job.pk, "rows": job.rows_total}
    page = client.get("/players/")
    assert re.search(r"Your export of (about )?[\d,]+ rows is being prepared", page.content.decode())
    assert job.get_absolute_url() in page.content.decode()
    # A second click while the first is still waiting is the same job, not another one.
    client.get("/players/", {"export": "csv", "q": "x", "sort": "-username"})
    assert ExportJob.objects.count() == 1


def _wait_for(job_id: int, seconds: float = 30) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        if not job.is_open:
            return job
        time.sleep(0.1)
    raise AssertionError(f"export job {job_id} still {job.status}")


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_exactly_the_rows_of_the_inline_export(celery_worker, login, settings, export_dir):
    a = AgentFactory(code="MA-W", flags=["add_accounts"])
    a1 = AgentFactory(code="AG-W1", parent=a, flags=[])
    other = AgentFactory(code="MA-V", flags=[])
    for i in range(5):
        fund(PlayerFactory(username=f"w{i}", agent=a1, currency="EUR"), f"{i + 1}.00")
    for i in range(3):
        fund(PlayerFactory(username=f"v{i}", agent=other, currency="EUR"), "7.00")
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.EXPORT_PROGRESS_EVERY = 2
    finance = login(OperatorFactory(role="Finance"))
    agent = login(a.user)
    cases = [(agent, "/players/", {"sort": "-username"}, "Username"),
             (agent, "/cashier/entries/", {}, None),
             (finance, "/cashier/entries/", {"currency": "EUR", "sort": "id"}, None)]
    for client, url, query, column in cases:
        expected = _inline(client, settings, url, **query)
        response = client.get(url, {"export": "csv", **query})
        assert response.status_code == 302, url
        job = _wait_for(ExportJob.objects.latest("id").pk)
        assert job.status == ExportStatus.DONE, job.error
        download = client.get(f"/system/exports/{job.pk}/download/")
        data = b"".join(download.streaming_content)
        assert data == expected, url
        assert job.rows_done == len(expected.decode().splitlines()) - 1 > settings.EXPORT_INLINE_MAX_ROWS
        if column:  # the agent's job holds its sub-tree only, in the order asked for
            assert _usernames(data, column) == ["w4", "w3", "w2", "w1", "w0"]
    entries = ExportJob.objects.get(user=a.user, path="/cashier/entries/").file.read()
    assert sorted(_usernames(entries, "Player")) == ["w0", "w1", "w2", "w3", "w4"]  # never the house's legs
    assert AuditEvent.objects.filter(action="export.download").count() == 3
    # The next page tells the user once that its exports are ready.
    home = agent.get("/players/").content.decode()
    assert home.count("is ready: ") == 2
    assert "is ready: " not in agent.get("/players/").content.decode()


def _job(user, path="/players/", query="", fmt="csv", **fields) -> ExportJob:
    return ExportJob.objects.create(user=user, path=path, query=query, format=fmt, title="Players",
                                    object_type="players.player", rows_total=4, **fields)


def test_another_login_can_neither_see_nor_download_a_job(login, tree, export_dir):
    job = export_job_run(job_id=_job(tree["a"].user).pk)
    assert job.status == ExportStatus.DONE and job.rows_done == 4
    owner = login(tree["a"].user)
    assert owner.get(f"/system/exports/{job.pk}/download/").status_code == 200
    assert "Players" in owner.get("/system/exports/").content.decode()
    for user in (tree["b"].user, tree["a1"].user, OperatorFactory(role="Finance")):
        client = login(user)
        assert client.get(f"/system/exports/{job.pk}/download/").status_code == 404
        assert client.get(f"/system/exports/{job.pk}/").status_code == 404
        assert f"/system/exports/{job.pk}/" not in client.get("/system/exports/").content.decode()
    admin_user = OperatorFactory(role="Administrator")  # holds backoffice.view_exportjob: every job
    assert login(admin_user).get(f"/system/exports/{job.pk}/download/").status_code == 200
    downloads = AuditEvent.objects.filter(action="export.download").order_by("seq")
    assert [e.actor_id for e in downloads] == [tree["a"].user.pk, admin_user.pk]


def test_running_the_task_twice_gives_the_same_file(tree, export_dir):
    job = _job(tree["a"].user, query="sort=username")
    first = export_job_run(job_id=job.pk)
    path = Path(first.file.path)
    assert path.parent == export_dir
    content, mtime = path.read_bytes(), path.stat().st_mtime_ns
    assert export_job_run(job_id=job.pk) is None  # finished: left alone
    assert path.read_bytes() == content and path.stat().st_mtime_ns == mtime
    assert ExportJob.objects.get(pk=job.pk).run == 1
    assert _usernames(content) == ["x0", "x1", "x2", "x3"]


def test_a_job_killed_halfway_starts_over_and_overwrites_its_file(tree, export_dir):
    job = _job(tree["a"].user, query="sort=username", status=ExportStatus.RUNNING, run=1, rows_done=2)
    name = export.export_job_file_name(job)
    (export_dir / name).write_bytes(b"half a file from a run that was killed\n")
    (export_dir / f"{name}.part1").write_bytes(b"the killed run's partial output")
    done = export_job_run(job_id=job.pk)  # the redelivered task
    assert done.status == ExportStatus.DONE and done.run == 2 and done.rows_done == 4
    assert _usernames((export_dir / name).read_bytes()) == ["x0", "x1", "x2", "x3"]
    assert sorted(p.name for p in export_dir.iterdir()) == [name, f"{name}.part1"]  # the other run's part: swept


def test_a_run_taken_over_by_another_stops_without_writing(tree, export_dir, settings, monkeypatch):
    settings.EXPORT_PROGRESS_EVERY = 1
    job = _job(tree["a"].user)
    real = export._heartbeat

    def another_worker_claims_it(j, rows):
        export._claim(j.pk)  # a second delivery of the task starts while this run is half-way
        real(j, rows)

    monkeypatch.setattr(export, "_heartbeat", another_worker_claims_it)
    assert export_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.run, job.file.name) == (ExportStatus.RUNNING, 2, "")
    assert list(export_dir.iterdir()) == []


def test_the_sweep_fails_stuck_jobs_and_deletes_old_files(tree, export_dir, settings):
    user = tree["a"].user
    stuck = _job(user, status=ExportStatus.RUNNING, run=1)
    never_started = _job(user, query="q=x")
    fresh = _job(user, query="q=y", status=ExportStatus.RUNNING, run=1)
    old = export_job_run(job_id=_job(user, query="q=z").pk)
    stale = timezone.now() - timedelta(minutes=settings.EXPORT_JOB_STALE_MINUTES + 1)
    ExportJob.objects.filter(pk__in=[stuck.pk, never_started.pk]).update(updated_at=stale)
    long_ago = timezone.now() - timedelta(days=settings.EXPORT_KEEP_DAYS + 1)
    ExportJob.objects.filter(pk=old.pk).update(finished_at=long_ago)
    assert export_jobs_sweep() == {"failed": 2, "expired": 1}
    for j in (stuck, never_started):
        j.refresh_from_db()
        assert j.status == ExportStatus.FAILED and "no progress" in j.error and j.finished_at
    fresh.refresh_from_db()
    old.refresh_from_db()
    assert fresh.status == ExportStatus.RUNNING
    assert old.file.name == "" and list(export_dir.iterdir()) == []
    assert export_job_run(job_id=stuck.pk) is None  # a late delivery of a failed job does nothing


def test_a_job_whose_user_lost_access_fails(login, tree, export_dir):
    job = _job(tree["a"].user, path="/system/audit/")  # agents never see the audit log
    assert export_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.error == "You may no longer view this list."
    page = login(tree["a"].user).get("/system/exports/")  # no notice: nothing was queued in this session
    assert "failed" in page.content.decode().lower()


def test_my_exports_polls_while_a_job_is_open(login, tree, export_dir):
    client = login(tree["a"].user)
    job = _job(tree["a"].user)
    assert 'hx-trigger="every 2s"' in client.get("/system/exports/").content.decode()
    assert 'hx-trigger="every 2s"' in client.get(f"/system/exports/{job.pk}/").content.decode()
    export_job_run(job_id=job.pk)
    assert 'hx-trigger="every 2s"' not in client.get("/system/exports/").content.decode()
    progress = client.get(f"/system/exports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert progress.lstrip().startswith('<section id="export-progress"') and "Download CSV" in progress


def test_the_export_buttons_let_the_browser_follow_a_redirect(login, tree):
    """A ``download`` attribute would save the redirect's page ("being prepared") as the file."""
    body = login(tree["a"].user).get("/players/").content.decode()
    buttons = re.findall(r'<a [^>]*href="\?export=(?:csv|xlsx)"[^>]*>', body)
    assert len(buttons) == 2 and not any(" download" in b for b in buttons)
