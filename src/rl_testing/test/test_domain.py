"""Domain reservations must never hand one id to two live sessions."""

from rl_testing.domain import reserve_domain_id


def test_two_reservations_get_different_ids(tmp_path):
    first = reserve_domain_id(tmp_path)
    second = reserve_domain_id(tmp_path)
    try:
        assert first.domain_id != second.domain_id
    finally:
        first.release()
        second.release()


def test_released_id_can_be_claimed_again(tmp_path):
    first = reserve_domain_id(tmp_path)
    held = first.domain_id
    first.release()
    again = [reserve_domain_id(tmp_path) for _ in range(82)]
    try:
        assert held in {r.domain_id for r in again}
    finally:
        for reservation in again:
            reservation.release()
