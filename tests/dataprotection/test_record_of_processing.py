"""docs/data-protection.md is generated from the models, permissions and retention schedule, and kept current."""
from app.services import record_of_processing as rop


def test_the_committed_record_of_processing_is_up_to_date(app):
    assert rop.DOC.read_text(encoding="utf-8") == rop.render(), (
        "docs/data-protection.md is stale: run `flask data-protection docs` and commit it")


def test_it_follows_the_schedule_and_the_permissions(app):
    text = rop.render()
    assert "## WelfareCheck (`welfare_checks`)" in text
    welfare = text.split("## WelfareCheck")[1].split("## ")[0]
    assert "25 years after the pupil's date of birth, then destroy" in welfare
    assert "Designated Safeguarding Lead (DSL)" in welfare and "Designated Governor" not in welfare


def test_every_record_in_the_schedule_is_in_the_record_of_processing():
    from app.policy.retention_schedule import SCHEDULE

    assert {rule.record for rule in SCHEDULE} <= set(rop.PURPOSES)
