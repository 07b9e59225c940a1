"""`flask engage create-user`: the first account, with no default anywhere."""

from engage.accounts import passwords
from engage.accounts.models import Role, User
from engage.extensions import db

PASSWORD = "a perfectly good passphrase"


def _users(app) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(db.select(User)))


def test_prompts_twice_for_the_password(app, runner):
    result = runner.invoke(
        args=["engage", "create-user", "Boss@Example.org", "--role", "admin", "--name", "Bo Ss"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account for boss@example.org" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    [user] = _users(app)
    assert (user.email, user.name, user.role, user.is_enabled) == (
        "boss@example.org",
        "Bo Ss",
        Role.ADMIN,
        True,
    )
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_asks_again_when_the_two_passwords_differ(app, runner):
    result = runner.invoke(
        args=["engage", "create-user", "org@example.org", "--role", "organiser"],
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output or "Error" in result.output
    [user] = _users(app)
    assert user.role == Role.ORGANISER and user.name == "org"


def test_reads_one_line_from_stdin(app, runner):
    result = runner.invoke(
        args=[
            "engage",
            "create-user",
            "ops@example.org",
            "--role",
            "organiser",
            "--password-stdin",
        ],
        input=f"{PASSWORD}\nignored second line\n",
    )
    assert result.exit_code == 0, result.output
    [user] = _users(app)
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_refuses_a_duplicate_with_a_clear_message(app, runner, make_user):
    make_user("taken@example.org")
    result = runner.invoke(
        args=["engage", "create-user", "TAKEN@example.org", "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code != 0
    assert "An account for taken@example.org already exists" in result.output
    assert len(_users(app)) == 1


def test_applies_the_password_policy(app, runner):
    for weak, reason in [("short", "8 characters or more"), ("Password123", "too common")]:
        result = runner.invoke(
            args=["engage", "create-user", "a@example.org", "--role", "admin", "--password-stdin"],
            input=f"{weak}\n",
        )
        assert result.exit_code != 0
        assert reason in result.output
    assert _users(app) == []


def test_refuses_a_bad_email_or_role(app, runner):
    bad_email = runner.invoke(
        args=["engage", "create-user", "not-an-email", "--role", "admin", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert bad_email.exit_code != 0 and "correct format" in bad_email.output
    bad_role = runner.invoke(
        args=["engage", "create-user", "a@example.org", "--role", "owner", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert bad_role.exit_code != 0
    assert _users(app) == []


def test_no_default_account_exists_even_with_the_demo(app, runner):
    result = runner.invoke(args=["engage", "demo"])
    assert result.exit_code == 0, result.output
    assert _users(app) == []
