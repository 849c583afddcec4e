"""Summarise a py-spy profile of a daphne process (the `results/profile-*.txt` in RESULTS.md).

    py-spy record -p <daphne pid> -d 10 -r 200 --nonblocking --format raw -o run.raw
    python -m bench.spy_summary run.raw > summary.txt

py-spy samples every thread of the process (the event loop, asgiref's database thread, any
request threads); idle frames (a thread waiting for work or for epoll) are left out, so the
shares are of the process's busy samples. Two lists: inclusive (a function and what it calls)
and own time (the innermost frame).
"""

import sys
from collections import Counter

IDLE = (
    "Condition.wait", "_worker ", "Thread._bootstrap", "Thread.run ", "EpollSelector.select",
    "_wait_for_tstate_lock", "SimpleQueue.get",
)


def main(path: str, top: int = 70) -> None:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    busy = 0
    with open(path) as raw:
        for line in raw:
            line = line.rstrip()
            if not line:
                continue
            stack, count = line.rsplit(" ", 1)
            frames = stack.split(";")
            if any(frames[-1].startswith(name) for name in IDLE):
                continue
            samples = int(count)
            busy += samples
            seen = set()
            for frame in frames:
                function, _, where = frame.partition(" (")
                name = f"{function}  {where.split(':')[0].rsplit('/', 1)[-1]}"
                if name not in seen:
                    inclusive[name] += samples
                    seen.add(name)
            own[frames[-1][:120]] += samples
    print(f"busy samples: {busy}\n\ninclusive share of busy samples:")
    for name, samples in inclusive.most_common(top):
        print(f"{100 * samples / busy:5.1f}%  {name}")
    print("\nown time:")
    for name, samples in own.most_common(25):
        print(f"{100 * samples / busy:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
