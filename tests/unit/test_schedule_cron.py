"""Crontab lines: every word shell-quoted, so paths with spaces (or cron's ``%``) survive."""

from __future__ import annotations

import shlex

from musicdb.ops import maintain


def _jobs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_a_command_and_log_dir_with_spaces_stay_single_words() -> None:
    command = ["/opt/music tools/venv/bin/musicdb"]
    text = maintain.crontab(command, log_dir="/var/log/music db")
    jobs = _jobs(text)
    assert len(jobs) == len(maintain.CRON_TIMES) == 3
    for job, (name, when) in zip(jobs, maintain.CRON_TIMES.items(), strict=True):
        assert job.startswith(when + " ")
        words = shlex.split(job[len(when) + 1 :])
        assert words == [
            "/opt/music tools/venv/bin/musicdb", "maintain", name, "--format", "json",
            ">>", f"/var/log/music db/maintain-{name}.json",
            "2>>", f"/var/log/music db/maintain-{name}.err",
        ]


def test_a_python_fallback_command_is_three_words() -> None:
    job = _jobs(maintain.crontab(["/usr/bin/python3", "-m", "musicdb"], log_dir="/srv/log"))[0]
    assert job == (
        "15 3 * * * /usr/bin/python3 -m musicdb maintain daily --format json "
        ">> /srv/log/maintain-daily.json 2>> /srv/log/maintain-daily.err"
    )


def test_percent_signs_are_escaped_for_cron() -> None:
    job = _jobs(maintain.crontab(["/opt/100% sure/musicdb"], log_dir="/srv/log"))[0]
    assert "%" not in job.replace("\\%", "")  # an unescaped % would end cron's command
    # cron turns \% back into % before the shell reads the line
    assert shlex.split(job.replace("\\%", "%"))[5] == "/opt/100% sure/musicdb"


def test_musicdb_command_is_an_argument_list_that_exists() -> None:
    command = maintain.musicdb_command()
    assert isinstance(command, list)
    assert command[0].startswith("/")
    assert len(command) == 1 or command[1:] == ["-m", "musicdb"]
