"""Progress lines: a real rate from the first chunk on, French numbers, a last line at 100 %."""

import io
import time

from voc.progress import ProgressPrinter, french_number


def test_french_number():
    assert french_number(1234567) == "1\u202f234\u202f567"
    assert french_number(1234.5, 1) == "1\u202f234,5"


def test_first_chunk_rate_is_measured_from_the_start_call():
    stream = io.StringIO()
    printer = ProgressPrinter(stream=stream, interval=0.0)
    printer("embedding", 0, 0, 4000)  # the caller starts the clock before the first chunk
    time.sleep(0.2)
    printer("embedding", 2000, 2000, 4000)
    printer("embedding", 4000, 4000, 4000)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first = lines[0]
    assert first.startswith("embedding: 2\u202f000 rows, ")
    rate = int(first.split(" rows, ")[1].split(" rows/s")[0].replace("\u202f", ""))
    assert 1000 <= rate <= 10_000  # 2,000 rows in about 0.2 s, not 2,000 / 1e-6
    assert lines[1].startswith("embedding: 4\u202f000 rows") and "100% done" in lines[1]
