from datetime import timedelta

import pytest
from pydantic import ValidationError

from habitat_notifications.config import NotificationsSettings, SmtpSettings


class TestSettings:
    def test_smtp_and_sender_come_from_nested_environment_variables(self, monkeypatch):
        for name, value in {
            "NOTIFICATIONS_SMTP__HOST": "smtp.coop.example",
            "NOTIFICATIONS_SMTP__PORT": "2525",
            "NOTIFICATIONS_SMTP__STARTTLS": "false",
            "NOTIFICATIONS_SMTP__USERNAME": "mailer",
            "NOTIFICATIONS_SMTP__PASSWORD": "s3cret",
            "NOTIFICATIONS_SMTP__FROM_ADDRESS": "habitat@coop.example",
            "NOTIFICATIONS_SENDER__MAX_ATTEMPTS": "4",
            "NOTIFICATIONS_COOP_NAME": "Acorn",
            "NOTIFICATIONS_PUBLIC_URL": "https://coop.example",
        }.items():
            monkeypatch.setenv(name, value)
        settings = NotificationsSettings()
        smtp = settings.smtp
        assert (smtp.host, smtp.port, smtp.starttls, smtp.username) == ("smtp.coop.example", 2525, False, "mailer")
        assert smtp.password.get_secret_value() == "s3cret" and "s3cret" not in repr(settings)
        assert settings.sender.policy().max_attempts == 4
        assert (settings.coop_name, settings.public_url) == ("Acorn", "https://coop.example")

    def test_implicit_tls_and_starttls_exclude_each_other(self):
        with pytest.raises(ValidationError):
            SmtpSettings(tls=True, starttls=True)
        assert SmtpSettings(tls=True, starttls=False, port=465).tls

    def test_blank_login_settings_mean_no_login(self, monkeypatch):
        # what compose passes when .env leaves NOTIFICATIONS_SMTP_USERNAME/PASSWORD empty
        monkeypatch.setenv("NOTIFICATIONS_SMTP__USERNAME", "")
        monkeypatch.setenv("NOTIFICATIONS_SMTP__PASSWORD", " ")
        smtp = NotificationsSettings().smtp
        assert (smtp.username, smtp.password) == (None, None)

    def test_a_password_without_a_username_is_refused(self):
        with pytest.raises(ValidationError, match="USERNAME"):
            SmtpSettings(password="s3cret")

    def test_the_default_retry_policy(self):
        policy = NotificationsSettings().sender.policy()
        assert (policy.max_attempts, policy.base, policy.maximum) == (8, timedelta(seconds=30), timedelta(hours=1))
