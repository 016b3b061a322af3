"""The throughput benchmark's arithmetic (bench/serve_load.py)."""

from bench.serve_load import figures, percentile


def test_percentile_is_the_nearest_rank():
    samples = list(range(1, 101))  # 1..100, shuffled order must not matter
    samples.reverse()
    assert percentile(samples, 0.50) == 50
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.99) == 99
    assert percentile([7], 0.99) == 7
    assert percentile([1, 2], 0.5) == 1


def test_figures_per_kind():
    records = [("search", 200, 0.1), ("search", 200, 0.3), ("403", 403, 0.2), ("search", "no answer", 0.2)]
    result = figures(records, seconds=2)
    assert result["search"]["requests"] == 3
    assert result["search"]["rate"] == 1.5
    assert result["search"]["p50"] == 200
    assert result["search"]["p99"] == 300
    assert result["search"]["statuses"] == {200: 2, "no answer": 1}
    assert result["403"]["rate"] == 0.5
