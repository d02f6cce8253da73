"""Issue 20's measure, held: no function in app/ is over 60 lines (migrations aside)."""

from pathlib import Path

from scripts.function_lengths import lengths

APP = Path(__file__).resolve().parents[2] / "app"


def test_no_function_in_app_is_over_60_lines():
    over = [f"{n} lines: {where}" for n, where in lengths(APP) if n > 60]
    assert over == [], "split these into functions that each do one thing:\n" + "\n".join(over)
