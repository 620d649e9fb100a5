"""The parts of replicated serving and cluster batches that need no cluster: flag checks, the lost-replica
error across the wire, batch progress."""
import time

import pytest

from voxnb.engines.remote import wire
from voxnb.errors import ReplicaLostError, SettingsError
from voxnb.messages import Msg
from voxnb.runs.folder import BatchProgress, row_key
from voxnb.server.cluster import replica_set


@pytest.mark.parametrize("value", ["many", "0", "-1", "2.5", ""])
def test_replicas_must_be_a_count_all_or_auto(value):
    with pytest.raises(SettingsError, match="not a number of replicas") as err:
        replica_set("kokoro", {}, replicas=value, ray_address=None, max_ongoing=None, max_replicas=None,
                    max_queue=8, port=1, log=print)
    assert "'auto'" in err.value.fix


def test_max_ongoing_must_be_positive():
    with pytest.raises(SettingsError, match="--max-ongoing 0"):
        replica_set("kokoro", {}, replicas="2", ray_address=None, max_ongoing=0, max_replicas=None,
                    max_queue=8, port=1, log=print)


def test_a_lost_replica_is_told_to_the_client_in_its_language():
    err = ReplicaLostError(key="server.replica_lost", name="f5", sent=Msg("cluster.sent_after"))
    back = wire.error_from(wire.error_record(err))
    assert isinstance(back, ReplicaLostError) and "after part of its audio" in str(back)
    assert "Send the request again" in back.fix and "之后" in back.render("zh")


def test_batch_progress_says_rate_and_time_left():
    p = BatchProgress(done=5, total=20, skipped=1, failed=0, started=time.monotonic() - 60)
    assert 3.9 < p.rows_per_min < 4.1 and 220 < p.eta_s < 230
    assert str(p).startswith("5/20 rows (1 done before), 4.0 rows/min, about 2")
    assert "left" not in str(BatchProgress(done=3, total=3, skipped=3, failed=0, started=time.monotonic()))


def test_a_row_key_changes_with_anything_that_changes_the_take():
    base = row_key("Hello.", "v1", "calm", 1.0, 0)
    assert base == row_key("Hello.", "v1", "calm", 1.0000001, 0)
    assert len({base, row_key("Hello!", "v1", "calm", 1.0, 0), row_key("Hello.", "v2", "calm", 1.0, 0),
                row_key("Hello.", "v1", "sad", 1.0, 0), row_key("Hello.", "v1", "calm", 1.1, 0),
                row_key("Hello.", "v1", "calm", 1.0, 1), row_key("Hello.", "v1", "calm", 1.0, 0, "whisper")}) == 7
