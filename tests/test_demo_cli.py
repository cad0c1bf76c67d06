"""`flask demo sign-ins`: what scripts/run.sh prints on every start, seeded or not this time."""
from app.demo import DEMO_PASSWORD


def test_lists_every_demo_sign_in_with_roles_and_the_password(app):
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output

    result = runner.invoke(args=["demo", "sign-ins"])

    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert "ap.leader@ashbrook.example.org" in result.output
    line = next(row for row in result.output.splitlines() if "attendance.infant@ashbrook.example.org" in row)
    assert "Attendance Officer (Ashbrook Infant School, EYFS/KS1)" in line
    assert "Trust Safeguarding Lead" in result.output
    # Every seeded person, once each.
    emails = [row.split()[0] for row in seeded.output.splitlines()[1:]]
    assert [row.split()[0] for row in result.output.splitlines()[1:]] == emails


def test_leaves_out_people_who_cannot_sign_in(app, world):
    from app import clock
    from app.extensions import db

    world.users["b.staff"].archived_at = clock.now()
    world.users["b.dsl"].is_enabled = False
    db.session.commit()

    output = app.test_cli_runner().invoke(args=["demo", "sign-ins"]).output

    assert "a.staff@test.example.org" in output
    assert "b.staff@test.example.org" not in output
    assert "b.dsl@test.example.org" not in output
    assert "no.roles@test.example.org" in output and "no role yet" in output


def test_says_to_seed_when_nobody_can_sign_in(app):
    result = app.test_cli_runner().invoke(args=["demo", "sign-ins"])
    assert result.exit_code != 0
    assert "flask demo seed" in result.output
