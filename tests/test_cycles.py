"""paused_gc: the cycle collector is off inside, and back as it was after (nested or not)."""

import gc

import pytest

from site_gen.cycles import paused_gc


def test_collection_is_paused_and_restored_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause does not turn it back on early
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
