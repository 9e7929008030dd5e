"""TLS certificate settings in Yealink .cfg files and on disk: `security.trust_certificates`
(Yealink's "Only Accept Trusted Certificates", default on) and DeskPhone's own CA file key."""

from __future__ import annotations

from pathlib import Path

from app.phone.settings import Settings
from app.store.secrets import SecretStore
from app.store.settings import load_settings, save_settings
from app.store.yealink_cfg import export_cfg, import_cfg

HEADER = "#!version:1.0.0.1\n"


def test_trust_certificates_imports_both_ways() -> None:
    off, report = import_cfg(HEADER + "security.trust_certificates = 0\n")
    assert off.tls_verify_server is False
    assert report.applied == ["security.trust_certificates"] and report.unsupported == []
    on, _ = import_cfg(HEADER + "security.trust_certificates = 1\n", base=off)
    assert on.tls_verify_server is True


def test_trust_certificates_default_is_on_and_null_restores_it() -> None:
    assert Settings().tls_verify_server is True
    base = Settings(tls_verify_server=False, tls_ca_file="/etc/ssl/my-ca.pem")
    s, _ = import_cfg(HEADER + "security.trust_certificates = %NULL%\n", base=base)
    assert s.tls_verify_server is True
    assert s.tls_ca_file == "/etc/ssl/my-ca.pem"  # untouched: not in the file


def test_trust_certificates_bad_value_is_refused_naming_the_key() -> None:
    s, report = import_cfg(HEADER + "security.trust_certificates = yes\n")
    assert [r.key for r in report.refused] == ["security.trust_certificates"]
    assert s.tls_verify_server is True


def test_export_writes_both_and_reimports_identical() -> None:
    settings = Settings(tls_verify_server=False, tls_ca_file="/opt/pki/office ca.pem")
    text = export_cfg(settings)
    assert "security.trust_certificates = 0\n" in text
    assert "deskphone.tls.ca_file = /opt/pki/office ca.pem\n" in text
    again, report = import_cfg(text)
    assert report.unsupported == [] and report.refused == []
    assert (again.tls_verify_server, again.tls_ca_file) == (False, "/opt/pki/office ca.pem")


def test_empty_ca_file_exports_as_null_and_clears_on_import() -> None:
    text = export_cfg(Settings())
    assert "security.trust_certificates = 1\n" in text
    assert "deskphone.tls.ca_file = %NULL%\n" in text
    cleared, _ = import_cfg(text, base=Settings(tls_ca_file="/x/ca.pem"))
    assert cleared.tls_ca_file == ""


def test_save_and_load_keep_both(tmp_path: Path) -> None:
    secrets = SecretStore(tmp_path, use_keyring=False)
    save_settings(tmp_path, Settings(tls_verify_server=False, tls_ca_file="/x/ca.pem"), secrets)
    loaded = load_settings(tmp_path, secrets).settings
    assert (loaded.tls_verify_server, loaded.tls_ca_file) == (False, "/x/ca.pem")
