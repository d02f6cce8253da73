"""The lab's cache of encoded preset runs: least recently used out first, bounded in bytes."""

from app.routes.lab import RunCache


def test_a_repeat_is_answered_from_the_cache() -> None:
    cache = RunCache(max_bytes=1000)
    cache.put("a", b"x" * 100)
    assert cache.get("a") == b"x" * 100
    assert cache.get("b") is None


def test_the_least_recently_used_goes_first_and_the_size_stays_bounded() -> None:
    cache = RunCache(max_bytes=1000)
    for key in "abcd":
        cache.put(key, b"x" * 200)  # 4 x 201 bytes with the keys
    cache.get("a")  # now b is the oldest
    cache.put("e", b"y" * 200)  # 1,005 bytes: one must go
    assert cache.get("b") is None
    assert all(cache.get(k) is not None for k in "acde")
    assert cache.size == sum(len(k) + len(v) for k, v in cache.entries.items()) <= 1000


def test_an_answer_larger_than_a_quarter_of_the_cache_is_not_kept() -> None:
    cache = RunCache(max_bytes=1000)
    cache.put("big", b"x" * 300)
    assert cache.get("big") is None
    assert cache.size == 0
