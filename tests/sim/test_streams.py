"""Named random streams: draws taken in one go are the draws taken one by one."""

import pytest

from docsec.sim.streams import _BLOCK, Streams


@pytest.mark.parametrize("sizes", [
    [0, 1, 5, 0, 3],
    [_BLOCK - 1, 1, 1, 2],            # a block used up exactly, then the next one begins
    [3, _BLOCK, 2 * _BLOCK + 7, 4],   # one call spanning several blocks
])
def test_uniforms_in_one_go_equal_uniforms_one_by_one(sizes):
    one_by_one, in_bulk = Streams(11).arrivals, Streams(11).arrivals
    for n in sizes:
        expected = [one_by_one.uniform() for _ in range(n)]
        assert in_bulk.uniforms(n) == expected
        # and the stream carries on identically afterwards, whichever way it was drawn
        assert in_bulk.uniform() == one_by_one.uniform()


def test_uniforms_interleave_with_the_generator_as_single_draws_do():
    """The block is refilled at the same point of the generator's sequence, so other draws on it agree too."""
    a, b = Streams(5).arrivals, Streams(5).arrivals
    for n in (100, 3000, 50):
        assert a.uniforms(n) == [b.uniform() for _ in range(n)]
        assert a.gen.poisson(2.0, 4).tolist() == b.gen.poisson(2.0, 4).tolist()
