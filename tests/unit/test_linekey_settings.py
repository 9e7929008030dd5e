"""linekey.X.* in .cfg files (app/phone/settings/linekeys.py): imported as Yealink writes them,
an unknown type kept with a warning (the key shows empty), bad values refused by key."""

from __future__ import annotations

from app.phone.settings import LineKeySettings
from app.store.yealink_cfg import export_cfg, import_cfg

CFG = """#!version:1.0.0.1
linekey.1.type = 15
linekey.1.line = 1
linekey.2.type = 16
linekey.2.line = 1
linekey.2.value = 1005
linekey.2.label = Bob
linekey.2.extension = *8
linekey.3.type = 39
linekey.3.value = list
linekey.4.type = 13
linekey.4.line = 17
linekey.5.label = bad\x01label
linekey.28.type = 16
transfer.dsskey_deal_type = 1
features.pickup.direct_pickup_code = *97
"""


def test_line_keys_import_with_warnings_and_refusals() -> None:
    s, report = import_cfg(CFG)
    assert s.line_keys[1] == LineKeySettings(15, 1)
    assert s.line_keys[2] == LineKeySettings(16, 1, "1005", "Bob", "*8")
    assert s.line_keys[3] == LineKeySettings(39, 1, "list")  # kept: shown as an empty key
    assert (
        "line 9: linekey.3.type = 39: line key type 39 is not supported by DeskPhone; "
        "the key is shown empty" in report.notes
    )
    refused = {r.key: r.message for r in report.refused}
    assert set(refused) == {"linekey.4.line", "linekey.5.label", "linekey.28.type"}
    assert "0-16" in refused["linekey.4.line"] and "1-27" in refused["linekey.28.type"]
    assert s.line_keys[4].line == 1  # the refused value did not stick
    assert s.keys.dsskey_transfer == "attended" and s.keys.direct_pickup_code == "*97"
    again, report2 = import_cfg(export_cfg(s))
    assert again.line_keys == s.line_keys and again.keys == s.keys
    assert not report2.refused
